/**
 * The report's one unit convention, for tables and text alike: accuracies in %, differences of
 * accuracy in percentage points ("pts"), times in minutes, F1 as a score in [0, 1], and every
 * difference signed with a true minus sign.
 */

const MINUS = '−';

/** A signed number: "+0.006", "−0.018". */
export function signed(x: number, digits: number): string {
  const s = Math.abs(x).toFixed(digits);
  // −0.000 reads as a difference where there is none.
  if (Number(s) === 0) return `±${s}`;
  return `${x > 0 ? '+' : MINUS}${s}`;
}

/** A fraction as a percentage: 0.882 → "88.20%". */
export function percent(fraction: number, digits = 2): string {
  return `${(100 * fraction).toFixed(digits)}%`;
}

/** A difference of two fractions in percentage points, signed: 0.0031 → "+0.31 pts". */
export function points(diff: number, digits = 2): string {
  return `${signed(100 * diff, digits)} pts`;
}

/** Seconds as minutes: 87.6 → "1.5 min". */
export function minutes(seconds: number, digits = 1): string {
  return `${(seconds / 60).toFixed(digits)} min`;
}
