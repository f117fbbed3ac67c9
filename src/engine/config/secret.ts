/**
 * A password, API secret or credential string. Resolved configs hold secrets in this wrapper so that logging,
 * JSON.stringify, template strings and util.inspect all print a mask; only code that hands the value to a
 * driver calls `reveal()`. Validation never puts a secret into a message (see secretScrub.ts for the net).
 */
const INSPECT = Symbol.for('nodejs.util.inspect.custom');
export const SECRET_MASK = '****';

export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  get isEmpty(): boolean {
    return this.#value.length === 0;
  }

  toString(): string {
    return SECRET_MASK;
  }

  toJSON(): string {
    return SECRET_MASK;
  }

  [INSPECT](): string {
    return `Secret(${SECRET_MASK})`;
  }
}
