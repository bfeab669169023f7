import { revealStats } from './poker-events';

describe('reveal statistics', () => {
  it('averages numeric cards only and counts every card', () => {
    expect(revealStats(['3', '5', '8', '?', '☕'])).toEqual({
      count: 5,
      mean: 5.33,
      median: 5,
      min: 3,
      max: 8,
      distribution: { '3': 1, '5': 1, '8': 1, '?': 1, '☕': 1 },
      consensus: false,
    });
  });

  it('takes the median of an even count as the middle pair average, sorting numerically', () => {
    expect(revealStats(['13', '2', '3', '21'])).toMatchObject({ median: 8, min: 2, max: 21, mean: 9.75 });
    expect(revealStats(['0.5', '1'])).toMatchObject({ median: 0.75, min: 0.5, max: 1 });
  });

  it('reports consensus when every estimate agrees, numeric or not', () => {
    expect(revealStats(['5', '5', '5'])).toMatchObject({ consensus: true, mean: 5, distribution: { '5': 3 } });
    expect(revealStats(['?', '?'])).toMatchObject({ consensus: true, count: 2, mean: null, median: null, min: null, max: null });
  });

  it('has no consensus and null figures without estimates', () => {
    expect(revealStats([])).toEqual({ count: 0, mean: null, median: null, min: null, max: null, distribution: {}, consensus: false });
  });
});
