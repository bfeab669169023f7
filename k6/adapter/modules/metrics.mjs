import { metric } from '../state.mjs';

class Metric {
  constructor(name, type, isTime) {
    this.name = name;
    this.m = metric(name, type, isTime);
  }

  add(value) {
    this.m.values.push(Number(value));
  }
}

export class Trend extends Metric {
  constructor(name, isTime = false) {
    super(name, 'trend', isTime);
  }
}

export class Counter extends Metric {
  constructor(name) {
    super(name, 'counter');
  }
}

export class Rate extends Metric {
  constructor(name) {
    super(name, 'rate');
  }

  add(value) {
    this.m.values.push(value ? 1 : 0);
  }
}

export class Gauge extends Metric {
  constructor(name) {
    super(name, 'gauge');
  }
}

export default { Trend, Counter, Rate, Gauge };
