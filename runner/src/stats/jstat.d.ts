// The part of jstat (no bundled types) the lab uses: Student's t distribution.
declare module 'jstat' {
  const jStat: {
    studentt: {
      cdf(x: number, dof: number): number;
      inv(p: number, dof: number): number;
    };
  };
  export default jStat;
}
