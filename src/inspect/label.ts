/**
 * Short, readable labels of argument keys (src/key/encode.ts), for the inspector only: labels are
 * made in the page from memory keys and never written anywhere.
 */

import { KEY_START } from '../key/encode';

/** Longest label returned; longer ones are cut in the middle. */
const MAX_LABEL = 60;
/** Longest string shown inside a label; longer ones keep their start and end. */
const MAX_STRING = 32;

class Unreadable extends Error {}

/**
 * A short label of the call a memory key stands for, e.g. `'apple'`, `5, true` or
 * `this: #3 { dataset: '…' }`. A key it cannot read is shown as it is, cut to size.
 */
export function labelOfKey(key: string): string {
  let label: string;
  try {
    // A single string argument is its own key (see src/cache.ts).
    label = key.startsWith(KEY_START) ? new Reader(key).call() : quote(key);
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
  private at = KEY_START.length;
  constructor(private readonly text: string) {}

  call(): string {
    let self = '';
    if (this.peek() === 't') {
      this.at++;
      self = `this: ${this.value()}`;
      if (this.peek() === '{') self += ` ${this.fields()}`;
    }
    const count = this.int(':');
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
      case 'z':
        return `'…' (${this.int('#')} characters)${this.skip(';')}`;
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
      case 'Y':
        return `Symbol.for(${quote(this.string())})`;
      case '&':
        return `#${this.until(';')}`;
      case '^':
        this.until(';');
        return '<met before>';
      case 'H':
        return this.value();
      case 'o':
      case 'O':
        return this.fields();
      case 'a':
      case 'M':
      case 'S': {
        const length = this.int('[');
        const items: string[] = [];
        for (let i = 0; i < length * (tag === 'M' ? 2 : 1); i++) items.push(this.peek() === '_' ? (this.at++, '<hole>') : this.value());
        this.expect(']');
        return tag === 'a' ? `[${items.join(', ')}]` : `${tag === 'M' ? 'Map' : 'Set'}(${length})`;
      }
      case 'V':
        return `${this.until(';')}(${this.bytes()} bytes)`;
      case 'A':
      case 'B':
        return `${tag === 'A' ? '' : 'Shared'}ArrayBuffer(${this.bytes()} bytes)`;
      case 'D': {
        const ms = Number(this.until(';'));
        return Number.isFinite(ms) ? new Date(ms).toISOString() : 'Invalid Date';
      }
      case 'R': {
        const source = this.string();
        return `/${source}${this.until(';')}`; // the flags, after their slash
      }
      case 'U':
      case 'Q':
        return `${tag === 'U' ? 'URL' : 'URLSearchParams'}(${this.value()})`;
      case 'I': {
        const name = this.string();
        this.until(';');
        this.string();
        return `File(${quote(name)}, ${this.int('#')} bytes)${this.skip(';')}`;
      }
      case 'L':
        this.string();
        return `Blob(${this.int('#')} bytes)${this.skip(';')}`;
      default:
        throw new Unreadable();
    }
  }

  /** `{ name: value, … }`. */
  private fields(): string {
    this.expect('{');
    const count = this.int(':');
    const parts: string[] = [];
    for (let i = 0; i < count; i++) {
      const name = this.string();
      parts.push(`${/^[A-Za-z_$][\w$]*$/.test(name) ? name : quote(name)}: ${this.value()}`);
    }
    this.expect('}');
    return parts.length ? `{ ${parts.join(', ')} }` : '{}';
  }

  /** Inline bytes (`n:…`), a large binary's digest (`n#hex;`) or a detached buffer (`-`): the byte count. */
  private bytes(): number | string {
    if (this.peek() === '-') return (this.at++, 'detached, 0');
    const start = this.at;
    while (/\d/.test(this.peek())) this.at++;
    const size = Number(this.text.slice(start, this.at));
    const mark = this.next();
    if (mark === ':') this.at += size;
    else if (mark === '#') this.until(';');
    else throw new Unreadable();
    return size;
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

  /** Skips to after `end`; returns ''. */
  private skip(end: string): string {
    this.until(end);
    return '';
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
