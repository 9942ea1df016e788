/** Words for counts in generated prose, so sentences scale with the registry ("four models", "six pairs"). */

const NUMBER_WORDS = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

/** "four" for 4; digits from 11 on. */
export function numberWord(n: number): string {
  return NUMBER_WORDS[n] ?? String(n);
}

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The number of unordered pairs of n things. */
export function pairCount(n: number): number {
  return (n * (n - 1)) / 2;
}
