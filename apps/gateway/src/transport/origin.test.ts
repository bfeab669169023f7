import { originPolicy } from './origin';

describe('origin policy', () => {
  it('allows only the same host by default', () => {
    const allowed = originPolicy([]);
    expect(allowed('http://example.test:8080', 'example.test:8080')).toBe(true);
    expect(allowed('http://evil.test', 'example.test:8080')).toBe(false);
    expect(allowed('null', 'example.test')).toBe(false);
  });

  it('allows exactly the configured origins, or any with *', () => {
    const allowed = originPolicy(['https://stream.example/']);
    expect(allowed('https://stream.example', 'api.example')).toBe(true);
    expect(allowed('https://api.example', 'api.example')).toBe(false);
    expect(originPolicy(['*'])('https://anything', 'x')).toBe(true);
  });
});
