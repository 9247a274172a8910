/** Two classes with the same fields, to check that instances are keyed by class as well as data. */
export class Point {
  constructor(
    public x: number,
    public y: number,
  ) {}
}

/** Same fields as {@link Point}, another class. */
export class Other {
  constructor(
    public x: number,
    public y: number,
  ) {}
}
