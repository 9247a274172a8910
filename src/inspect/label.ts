/**
 * Short, readable labels of canonical argument keys (src/key/encode.ts), for the inspector only:
 * labels are made in the page from memory keys and never written anywhere.
 */

/** Longest label returned; longer ones are cut in the middle. */
const MAX_LABEL = 60;
/** Longest string shown inside a label; longer ones keep their start and end. */
const MAX_STRING = 32;

class Unreadable extends Error {}

/**
 * A short label of the call a memory key stands for, e.g. `'apple'`, `5, true` or
 * `this: DataExplorer { dataset: '…' }`. A key whose encoding it cannot read is shown as it is,
 * cut to size.
 */
export function labelOfKey(key: string): string {
  let label: string;
  try {
    label = new Reader(key).call();
  } catch {
    label = key;
  }
  return shorten(label, MAX_LABEL);
}

/** `text` cut in the middle to at most `most` characters. */
export function shorten(text: string, most: number): string {
  if (text.length <= most) return text;
  const head = Math.ceil((most - 1) * 0.6);
  return `${text.slice(0, head)}…${text.slice(text.length - (most - 1 - head))}`;
}

class Reader {
  private at = 0;
  constructor(private readonly text: string) {}

  call(): string {
    let self = '';
    if (this.peek() === 't') {
      this.at++;
      self = `this: ${this.value()}`;
    }
    const count = this.int('|');
    const args: string[] = [];
    for (let i = 0; i < count; i++) args.push(this.value());
    if (this.at !== this.text.length) throw new Unreadable();
    if (self) return args.length ? `${self}; ${args.join(', ')}` : self;
    return args.length ? args.join(', ') : '()';
  }

  private value(): string {
    const tag = this.next();
    switch (tag) {
      case 's':
        return quote(this.string());
      case 'd':
        return this.until(';');
      case 'T':
        return 'true';
      case 'F':
        return 'false';
      case 'u':
        return 'undefined';
      case 'n':
        return 'null';
      case 'b':
        return `${this.until(';')}n`;
      case 'y':
      case 'Y':
        return `Symbol(${this.expectString()})`;
      case 'a': {
        const length = this.int('[');
        const items: string[] = [];
        for (let i = 0; i < length; i++) items.push(this.value());
        this.expect(']');
        return `[${items.join(', ')}]`;
      }
      case 'o':
        return this.fields('');
      case 'c': {
        // The class identity: its name, and in memory `#n` to tell apart classes of one name.
        const name = this.expectString().replace(/#\d+$/, '');
        return this.fields(`${name} `);
      }
      case 'E': {
        const name = this.expectString();
        const message = this.expectString();
        this.fields('');
        return `${name}(${quote(message)})`;
      }
      case 'V':
        return `${this.expectString()}(${this.bytes()} bytes)`;
      case 'A':
        return `ArrayBuffer(${this.bytes()} bytes)`;
      case 'L':
        this.expectString();
        return `Blob(${this.large()} bytes)`;
      case 'D': {
        const ms = Number(this.until(';'));
        return (Number.isFinite(ms) ? new Date(ms).toISOString() : 'Invalid Date') + this.ownFields();
      }
      case 'R': {
        const source = this.expectString();
        return `/${source}/${this.expectString()}${this.ownFields()}`;
      }
      case 'M':
      case 'S': {
        const size = this.int('{');
        for (let i = 0; i < size * (tag === 'M' ? 2 : 1); i++) this.value();
        this.expect('}');
        return `${tag === 'M' ? 'Map' : 'Set'}(${size})${this.ownFields()}`;
      }
      case 'B':
        return this.value();
      case 'U':
        return `URL(${quote(this.expectString())})`;
      case 'Q':
        return `URLSearchParams(${quote(this.expectString())})`;
      case 'h':
        this.value();
        return 'Headers';
      case 'H':
        this.until(';');
        return this.value();
      case 'r':
        this.until(';');
        return '[Circular]';
      default:
        throw new Unreadable();
    }
  }

  /** The own fields a built-in value (a Date, a Map…) is keyed with after its content: shown when there are some. */
  private ownFields(): string {
    if (this.peek() !== '{') return '';
    const fields = this.fields(' ');
    return fields === ' {}' ? '' : fields;
  }

  /** `{ name: value, … }` after `prefix`. */
  private fields(prefix: string): string {
    this.expect('{');
    const parts: string[] = [];
    while (this.peek() !== '}') {
      const name = this.expectString();
      parts.push(`${/^[A-Za-z_$][\w$]*$/.test(name) ? name : quote(name)}: ${this.value()}`);
    }
    this.expect('}');
    return parts.length ? `${prefix}{ ${parts.join(', ')} }` : `${prefix}{}`;
  }

  /** Inline bytes (`n:…`) or a large binary's digest (`n#hex;`): the byte count. */
  private bytes(): number {
    const start = this.at;
    while (/\d/.test(this.peek())) this.at++;
    const size = Number(this.text.slice(start, this.at));
    const mark = this.next();
    if (mark === ':') this.at += size;
    else if (mark === '#') this.until(';');
    else throw new Unreadable();
    return size;
  }

  private large(): number {
    const size = Number(this.until('#'));
    this.until(';');
    return size;
  }

  private expectString(): string {
    this.expect('s');
    return this.string();
  }

  private string(): string {
    const length = this.int(':');
    const value = this.text.slice(this.at, this.at + length);
    if (value.length !== length) throw new Unreadable();
    this.at += length;
    return value;
  }

  private int(end: string): number {
    const n = Number(this.until(end));
    if (!Number.isInteger(n) || n < 0) throw new Unreadable();
    return n;
  }

  private until(end: string): string {
    const stop = this.text.indexOf(end, this.at);
    if (stop === -1) throw new Unreadable();
    const out = this.text.slice(this.at, stop);
    this.at = stop + 1;
    return out;
  }

  private expect(char: string): void {
    if (this.next() !== char) throw new Unreadable();
  }

  private peek(): string {
    return this.text[this.at] ?? '';
  }

  private next(): string {
    const char = this.text[this.at];
    if (char === undefined) throw new Unreadable();
    this.at++;
    return char;
  }
}

function quote(text: string): string {
  return `'${shorten(text, MAX_STRING).replace(/[\\']/g, '\\$&')}'`;
}
