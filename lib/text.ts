// What the app takes as text from a request (a path's or query's parameter, a JSON body's string or key at any
// depth, a form's field) or a feed: no C0 control character (U+0000-U+001F) and no DEL (U+007F), and no lone
// surrogate. PostgreSQL cannot store a NUL in text; none of the app's strings (ids, names, addresses, e-mail
// addresses, URLs, secrets, passwords, search words) has a use for a tab or a line break, and a line break in a
// rule's name would reach an e-mail's subject. A lone surrogate, which only a JSON \u escape can make, is not
// text: UTF-8 cannot carry it (Prisma and PostgreSQL's JSON refuse it, a text column silently gets U+FFFD).

/** An owner's short name, in feeds and keys: lower-case letters, digits and dashes, at most 40. */
export const OWNER_SLUG = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

/** Under the u flag, \p{Cs} matches only surrogates that are not half of a pair. */
const NOT_TEXT = /[\u0000-\u001f\u007f]|\p{Cs}/u;

/** Whether a string holds no control character and no lone surrogate. */
export function isText(value: string): boolean {
  return !NOT_TEXT.test(value);
}

/** What is wrong with a string as text, in words (the character and where it is), or null when nothing is. */
export function textProblem(value: string): string | null {
  const found = NOT_TEXT.exec(value);
  if (!found) return null;
  const code = `U+${found[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
  const at = `character ${[...value.slice(0, found.index)].length + 1}`;
  return found[0] <= "\u007f"
    ? `control character ${code} at ${at}: text may not hold U+0000-U+001F or U+007F`
    : `lone surrogate ${code} at ${at}: not text (a \\u escape of a surrogate must be one of a pair)`;
}

/** Where in a JSON value a string is (keys and indexes), and what is wrong with it. */
export interface TextProblem {
  path: (string | number)[];
  problem: string;
}

/** A place in a JSON value: its step from its parent (a key or an index), kept as a chain so that nothing is copied per step. */
interface Place {
  parent?: Place;
  step?: string | number;
}
const pathOf = (place: Place): (string | number)[] => {
  const path: (string | number)[] = [];
  for (let p: Place | undefined = place; p?.parent; p = p.parent) path.push(p.step!);
  return path.reverse();
};

/**
 * The first string of a parsed JSON value, or key of one of its objects, that is not text, in document order;
 * null when all are. Walked with a stack of its own, not by recursion: a small body can nest deeper than the
 * call stack goes.
 */
export function firstTextProblem(value: unknown): TextProblem | null {
  const pending: { value: unknown; place: Place }[] = [{ value, place: {} }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value, place } = next;
    const keyProblem = typeof place.step === "string" ? textProblem(place.step) : null;
    if (keyProblem) return { path: [...pathOf(place).slice(0, -1), JSON.stringify(place.step)], problem: `its name has a ${keyProblem}` };
    if (typeof value === "string") {
      const problem = textProblem(value);
      if (problem) return { path: pathOf(place), problem };
    } else if (value !== null && typeof value === "object") {
      const entries: [string | number, unknown][] = Array.isArray(value) ? [...value.entries()] : Object.entries(value);
      for (let i = entries.length - 1; i >= 0; i--) pending.push({ value: entries[i]![1], place: { parent: place, step: entries[i]![0] } });
    }
  }
  return null;
}
