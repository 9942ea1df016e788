// The few jStat functions the study's statistics and the saliency sanity check use (jstat ships no type declarations).
declare module 'jstat' {
  export const jStat: {
    studentt: { cdf(x: number, dof: number): number; inv(p: number, dof: number): number };
    gammaln(x: number): number;
    /** Spearman's rank correlation: Pearson's correlation of the ranks (ties share their mean rank). */
    spearmancoeff(a: number[], b: number[]): number;
  };
}
