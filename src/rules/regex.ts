/**
 * Regular expressions for `~`, with guaranteed linear-time matching.
 *
 * JavaScript's RegExp backtracks, so a pattern such as `(a+)+$` can take exponential time on
 * client-supplied strings. TALANG uses Go's RE2 (no backreferences, no look-around), so we parse
 * the RE2 subset ourselves, compile it to a Thompson program and match it with a Pike VM:
 * O(program × subject) time and O(program) memory, whatever the pattern.
 *
 * Supported: literals and escapes, `.`, classes `[a-z]` `[^…]`, `\d \w \s \D \W \S`, `^ $ \A \z
 * \b \B`, groups `( )` `(?: )` `(?P<n> )` `(?<n> )`, a leading `(?i)` / `(?s)` / `(?m)` flag group,
 * alternation, `* + ? {n} {n,} {n,m}` (lazy suffix `?` accepted; irrelevant for a yes/no match).
 * Rejected (RE2 rejects them too): backreferences and look-around.
 */

const MAX_PROGRAM = 5000;
const MAX_REPEAT = 1000;

type Node =
  | { t: 'alt'; xs: Node[] } | { t: 'cat'; xs: Node[] }
  | { t: 'rep'; x: Node; min: number; max: number }
  | { t: 'class'; ranges: number[]; neg: boolean } | { t: 'any' }
  | { t: 'bol' } | { t: 'eol' } | { t: 'wb'; neg: boolean };

const enum Op { Class, Any, Split, Jmp, Bol, Eol, WordB, NotWordB, Match }
interface Instr { op: Op; x: number; y: number; ranges?: number[]; neg?: boolean }

/** A pattern outside the supported RE2 subset, or malformed: a save-time error for a literal pattern, else an evaluation error. */
export class RegexSyntaxError extends Error {
  override name = 'RegexSyntaxError';
}

const DIGIT = [48, 57];
const WORD = [48, 57, 65, 90, 95, 95, 97, 122];
const SPACE = [9, 10, 12, 13, 32, 32];

function negate(r: number[]): number[] {
  const sorted: [number, number][] = [];
  for (let i = 0; i < r.length; i += 2) sorted.push([r[i], r[i + 1]]);
  sorted.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  let next = 0;
  for (const [lo, hi] of sorted) {
    if (lo > next) out.push(next, lo - 1);
    next = Math.max(next, hi + 1);
  }
  if (next <= 0xffff) out.push(next, 0xffff);
  return out;
}

class Parser {
  i = 0;
  icase = false;
  dotAll = false;
  multiline = false;
  constructor(readonly s: string) {}

  err(msg: string): never { throw new RegexSyntaxError(`${msg} at offset ${this.i} of /${this.s}/`); }
  peek(): string | undefined { return this.s[this.i]; }
  eat(ch: string): boolean { if (this.s[this.i] === ch) { this.i++; return true; } return false; }

  parse(): Node {
    const flags = /^\(\?([ism]+)\)/.exec(this.s);
    if (flags !== null) {
      this.icase = flags[1].includes('i');
      this.dotAll = flags[1].includes('s');
      this.multiline = flags[1].includes('m');
      this.i = flags[0].length;
    }
    const n = this.alt();
    if (this.i < this.s.length) this.err('unbalanced )');
    return n;
  }

  alt(): Node {
    const xs = [this.cat()];
    while (this.eat('|')) xs.push(this.cat());
    return xs.length === 1 ? xs[0] : { t: 'alt', xs };
  }

  cat(): Node {
    const xs: Node[] = [];
    while (this.i < this.s.length && this.peek() !== '|' && this.peek() !== ')') xs.push(this.repeat(this.atom()));
    return { t: 'cat', xs };
  }

  repeat(x: Node): Node {
    for (;;) {
      let min: number, max: number;
      const ch = this.peek();
      if (ch === '*') { min = 0; max = -1; this.i++; }
      else if (ch === '+') { min = 1; max = -1; this.i++; }
      else if (ch === '?') { min = 0; max = 1; this.i++; }
      else if (ch === '{' && /^\{\d+(,\d*)?\}/.test(this.s.slice(this.i))) {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(this.s.slice(this.i))!;
        this.i += m[0].length;
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === '' ? -1 : Number(m[3]);
        if (min > MAX_REPEAT || max > MAX_REPEAT || (max !== -1 && max < min)) this.err(`invalid repeat count {${m[1]}${m[2] ?? ''}}`);
      } else return x;
      this.eat('?'); // lazy marker: same yes/no answer
      if (x.t === 'bol' || x.t === 'eol' || x.t === 'wb') this.err('repetition of an assertion');
      x = { t: 'rep', x, min, max };
    }
  }

  atom(): Node {
    const ch = this.s[this.i++];
    switch (ch) {
      case '(': return this.group();
      case '.': return this.dotAll ? { t: 'class', ranges: [0, 0xffff], neg: false } : { t: 'any' };
      case '^': return { t: 'bol' };
      case '$': return { t: 'eol' };
      case '[': return this.klass();
      case '\\': return this.escape(false);
      case '*': case '+': case '?': return this.err('missing argument to repetition operator');
      default: return this.lit(ch.charCodeAt(0));
    }
  }

  group(): Node {
    if (this.eat('?')) {
      if (this.eat(':')) { /* non-capturing */ }
      else if (this.s.startsWith('P<', this.i) || (this.eat('<') && (this.i--, true) && /^<[A-Za-z_]/.test(this.s.slice(this.i)))) {
        const close = this.s.indexOf('>', this.i);
        if (close < 0) this.err('unterminated group name');
        this.i = close + 1;
      } else this.err('look-around and inline flags are not supported (RE2 syntax)');
    }
    const n = this.alt();
    if (!this.eat(')')) this.err('missing )');
    return n;
  }

  lit(code: number): Node {
    return { t: 'class', ranges: [code, code], neg: false };
  }

  /** An escape outside (inClass=false) or inside a class; returns a class node. */
  escape(inClass: boolean): Node {
    const ch = this.s[this.i++];
    if (ch === undefined) this.err('trailing backslash');
    switch (ch) {
      case 'd': return { t: 'class', ranges: DIGIT, neg: false };
      case 'D': return { t: 'class', ranges: DIGIT, neg: true };
      case 'w': return { t: 'class', ranges: WORD, neg: false };
      case 'W': return { t: 'class', ranges: WORD, neg: true };
      case 's': return { t: 'class', ranges: SPACE, neg: false };
      case 'S': return { t: 'class', ranges: SPACE, neg: true };
      case 'n': return this.lit(10);
      case 't': return this.lit(9);
      case 'r': return this.lit(13);
      case 'f': return this.lit(12);
      case 'v': return this.lit(11);
      case 'x': {
        const m = /^(?:\{([0-9a-fA-F]{1,4})\}|([0-9a-fA-F]{2}))/.exec(this.s.slice(this.i));
        if (m === null) this.err('invalid \\x escape');
        this.i += m[0].length;
        return this.lit(parseInt(m[1] ?? m[2], 16));
      }
    }
    if (!inClass) {
      if (ch === 'A') return { t: 'bol' };
      if (ch === 'z') return { t: 'eol' };
      if (ch === 'b') return { t: 'wb', neg: false };
      if (ch === 'B') return { t: 'wb', neg: true };
    }
    if (/[0-9]/.test(ch)) this.err('backreferences are not supported (RE2 syntax)');
    if (/[A-Za-z]/.test(ch)) this.err(`unknown escape \\${ch}`);
    return this.lit(ch.charCodeAt(0));
  }

  klass(): Node {
    const neg = this.eat('^');
    const ranges: number[] = [];
    let first = true;
    while (this.peek() !== ']' || first) {
      first = false;
      if (this.i >= this.s.length) this.err('missing ]');
      let lo: number;
      if (this.eat('\\')) {
        const e = this.escape(true) as { t: 'class'; ranges: number[]; neg: boolean };
        if (e.neg || e.ranges.length > 2 || e.ranges[0] !== e.ranges[1]) { ranges.push(...(e.neg ? negate(e.ranges) : e.ranges)); continue; }
        lo = e.ranges[0]!;
      } else lo = this.s.charCodeAt(this.i++);
      let hi = lo;
      if (this.peek() === '-' && this.s[this.i + 1] !== ']' && this.i + 1 < this.s.length) {
        this.i++;
        if (this.eat('\\')) {
          const e = this.escape(true) as { t: 'class'; ranges: number[] };
          if (e.ranges.length !== 2 || e.ranges[0] !== e.ranges[1]) this.err('invalid class range');
          hi = e.ranges[0]!;
        } else hi = this.s.charCodeAt(this.i++);
        if (hi < lo) this.err('invalid class range');
      }
      ranges.push(lo, hi);
    }
    this.i++;
    return { t: 'class', ranges, neg };
  }
}

function emit(n: Node, prog: Instr[]): void {
  if (prog.length > MAX_PROGRAM) throw new RegexSyntaxError(`pattern too large (more than ${MAX_PROGRAM} instructions after expanding repeats)`);
  switch (n.t) {
    case 'cat': for (const x of n.xs) emit(x, prog); return;
    case 'alt': {
      const jumps: Instr[] = [];
      for (let k = 0; k < n.xs.length; k++) {
        if (k < n.xs.length - 1) {
          const split: Instr = { op: Op.Split, x: prog.length + 1, y: 0 };
          prog.push(split);
          emit(n.xs[k], prog);
          const j: Instr = { op: Op.Jmp, x: 0, y: 0 };
          prog.push(j);
          jumps.push(j);
          split.y = prog.length;
        } else emit(n.xs[k], prog);
      }
      for (const j of jumps) j.x = prog.length;
      return;
    }
    case 'rep': {
      for (let k = 0; k < n.min; k++) emit(n.x, prog);
      if (n.max === -1) {
        const split: Instr = { op: Op.Split, x: prog.length + 1, y: 0 };
        const loop = prog.length;
        prog.push(split);
        emit(n.x, prog);
        prog.push({ op: Op.Jmp, x: loop, y: 0 });
        split.y = prog.length;
      } else {
        const splits: Instr[] = [];
        for (let k = n.min; k < n.max; k++) {
          const split: Instr = { op: Op.Split, x: prog.length + 1, y: 0 };
          prog.push(split);
          splits.push(split);
          emit(n.x, prog);
        }
        for (const s of splits) s.y = prog.length;
      }
      return;
    }
    case 'class': prog.push({ op: Op.Class, x: 0, y: 0, ranges: n.ranges, neg: n.neg }); return;
    case 'any': prog.push({ op: Op.Any, x: 0, y: 0 }); return;
    case 'bol': prog.push({ op: Op.Bol, x: 0, y: 0 }); return;
    case 'eol': prog.push({ op: Op.Eol, x: 0, y: 0 }); return;
    case 'wb': prog.push({ op: n.neg ? Op.NotWordB : Op.WordB, x: 0, y: 0 }); return;
  }
}

const isWord = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;

function inRanges(r: number[], c: number): boolean {
  for (let k = 0; k < r.length; k += 2) if (c >= r[k] && c <= r[k + 1]) return true;
  return false;
}

export class SafeRegex {
  private readonly prog: Instr[];
  private readonly icase: boolean;
  private readonly multiline: boolean;

  constructor(readonly source: string) {
    const parser = new Parser(source);
    const ast = parser.parse();
    this.icase = parser.icase;
    this.multiline = parser.multiline;
    this.prog = [];
    emit(ast, this.prog);
    this.prog.push({ op: Op.Match, x: 0, y: 0 });
  }

  /** Work units a match against a subject of this length costs (for the step budget). */
  cost(subjectLength: number): number {
    return Math.ceil(((subjectLength + 1) * this.prog.length) / 32);
  }

  private classMatch(ins: Instr, c: number): boolean {
    let hit = inRanges(ins.ranges!, c);
    if (!hit && this.icase) {
      const ch = String.fromCharCode(c);
      const lo = ch.toLowerCase().charCodeAt(0);
      const up = ch.toUpperCase().charCodeAt(0);
      hit = (lo !== c && inRanges(ins.ranges!, lo)) || (up !== c && inRanges(ins.ranges!, up));
    }
    return hit !== ins.neg;
  }

  /** Unanchored search: is there a match anywhere in `s`? */
  test(s: string): boolean {
    const prog = this.prog;
    const m = prog.length;
    let clist = new Int32Array(m);
    let nlist = new Int32Array(m);
    let ccount = 0;
    const mark = new Int32Array(m).fill(-1);
    const stack = new Int32Array(m * 2 + 2);
    const n = s.length;
    // Follow epsilon edges from pc at position pos; returns true when Match is reachable.
    const add = (list: Int32Array, count: number, pc0: number, pos: number, gen: number): number => {
      let sp = 0;
      stack[sp++] = pc0;
      while (sp > 0) {
        const pc = stack[--sp];
        if (mark[pc] === gen) continue;
        mark[pc] = gen;
        const ins = prog[pc];
        switch (ins.op) {
          case Op.Jmp: stack[sp++] = ins.x; break;
          case Op.Split: stack[sp++] = ins.y; stack[sp++] = ins.x; break;
          case Op.Bol: if (pos === 0 || (this.multiline && s.charCodeAt(pos - 1) === 10)) stack[sp++] = pc + 1; break;
          case Op.Eol: if (pos === n || (this.multiline && s.charCodeAt(pos) === 10)) stack[sp++] = pc + 1; break;
          case Op.WordB: case Op.NotWordB: {
            const b = (pos > 0 && isWord(s.charCodeAt(pos - 1))) !== (pos < n && isWord(s.charCodeAt(pos)));
            if (b === (ins.op === Op.WordB)) stack[sp++] = pc + 1;
            break;
          }
          case Op.Match: return -1;
          default: list[count++] = pc;
        }
      }
      return count;
    };
    for (let pos = 0; pos <= n; pos++) {
      // generation pos marks clist membership; every thread added at pos shares it
      const r = add(clist, ccount, 0, pos, pos);
      if (r < 0) return true;
      ccount = r;
      if (pos === n) break;
      const c = s.charCodeAt(pos);
      let ncount = 0;
      for (let k = 0; k < ccount; k++) {
        const pc = clist[k];
        const ins = prog[pc];
        const ok = ins.op === Op.Any ? c !== 10 : this.classMatch(ins, c);
        if (ok) {
          const r2 = add(nlist, ncount, pc + 1, pos + 1, pos + 1);
          if (r2 < 0) return true;
          ncount = r2;
        }
      }
      const tmp = clist; clist = nlist; nlist = tmp;
      ccount = ncount;
    }
    return false;
  }
}
