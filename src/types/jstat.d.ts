// The few jStat functions the study's statistics use (jstat ships no type declarations).
declare module 'jstat' {
  export const jStat: {
    studentt: { cdf(x: number, dof: number): number; inv(p: number, dof: number): number };
    gammaln(x: number): number;
  };
}
