/**
 * Redaction: the process's registry of secrets, and the functions every message goes through so that no token,
 * secret or Authorization header reaches an error, a log line or an output (errors.ts re-exports them).
 */
/** Secrets at least this long are redacted wherever they appear, in every encoding, and by prefix. */
export const MIN_SECRET_LENGTH = 8;
/** A trailing fragment of a secret at least this long is redacted (a token cut at a truncation boundary). */
const MIN_PREFIX_LENGTH = 6;

/** Registered secret values; their spellings (raw, URL-, form-, JSON-, base64-, hex-encoded) are in `spellings`. */
const secrets = new Set<string>();

/**
 * One spelling of a secret. Matched regardless of letter case (an echo upper-cased or lower-cased), and, in a
 * text that holds invisible format characters, with any number of them between its characters (an echo split
 * by zero-width spaces or joiners).
 */
interface Spelling {
  text: string;
  /** `text` lower-cased: the quick check before a match is tried. */
  lower: string;
  /** Every occurrence, any case: the spelling itself, or (short secrets) only where it stands as a whole word. */
  match: RegExp;
  /** Built on first use: the same with format characters allowed between its characters. */
  split?: RegExp;
}
/**
 * Every spelling of every secret, longest first across all secrets: when one secret contains another, the
 * longer is redacted whole before the shorter could split it and leave a fragment behind.
 */
let spellings: Spelling[] = [];
/** Spellings (lower-cased) that are redacted by prefix too, by their first {@link MIN_PREFIX_LENGTH} characters. */
const byPrefix = new Map<string, string[]>();
/**
 * Invisible format characters (Unicode category Cf: zero-width space, joiners, word joiner, byte order mark,
 * soft hyphen, bidi marks): a secret split by them reads the same, so it is matched across them.
 */
const FORMAT_CHAR = /\p{Cf}/u;
const FORMAT_CHARS = /\p{Cf}/gu;
let longestSpelling = 0;

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The ways a secret can be echoed: as is, URL-encoded (%20 and + forms), JSON-escaped, base64 (both alphabets), hex. */
function encodings(value: string): string[] {
  const out = new Set<string>([value]);
  try {
    const uri = encodeURIComponent(value);
    out.add(uri);
    out.add(uri.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())); // lower-case %xx, as some encoders write
    out.add(uri.replace(/%20/g, "+"));
    out.add(new URLSearchParams({ x: value }).toString().slice(2)); // form encoding
  } catch {
    // A lone surrogate cannot be URL-encoded: nothing to add.
  }
  out.add(JSON.stringify(value).slice(1, -1));
  out.add(JSON.stringify(value).slice(1, -1).replace(/\//g, "\\/")); // JSON with escaped slashes
  const b64 = Buffer.from(value, "utf8").toString("base64");
  out.add(b64);
  out.add(b64.replace(/=+$/, ""));
  out.add(Buffer.from(value, "utf8").toString("base64url"));
  // Hex of the UTF-8 bytes, as a debug dump or a hash-like log field shows it (either case: see Spelling).
  out.add(Buffer.from(value, "utf8").toString("hex"));
  return [...out].filter((v) => v.length > 0).sort((a, b) => b.length - a.length);
}

/**
 * Registers a credential so that {@link redact} removes it from any text. Settings call this for the
 * client secret, the refresh token and the access token, and the auth layer for every issued token.
 *
 * Every non-empty value is registered. A value of {@link MIN_SECRET_LENGTH} characters or more is redacted
 * wherever it appears, in every encoding, and a trailing fragment of it (a token cut at a truncation boundary)
 * too. A shorter value (no real Entra secret or token is that short) is redacted only where it stands as a
 * whole word, raw or encoded: redacting it inside other words would mangle ordinary text ("a", "1") and
 * would not protect it anyway, since such a secret is guessable.
 */
export function registerSecret(value: string | undefined): void {
  if (value === undefined || value === "" || secrets.has(value)) return;
  secrets.add(value);
  const whole = value.length < MIN_SECRET_LENGTH;
  // Compiled once here, not on every redaction: redact() runs for every error and log line.
  const added: Spelling[] = encodings(value).map((text) => ({
    text,
    lower: text.toLowerCase(),
    match: whole
      ? new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(text)}(?![\\p{L}\\p{N}])`, "giu")
      : new RegExp(escapeRegExp(text), "giu"),
  }));
  spellings = [...spellings, ...added].sort((a, b) => b.text.length - a.text.length);
  if (whole) return;
  for (const { lower } of added) {
    if (lower.length <= MIN_PREFIX_LENGTH) continue;
    const key = lower.slice(0, MIN_PREFIX_LENGTH);
    byPrefix.set(key, [...(byPrefix.get(key) ?? []), lower]);
    longestSpelling = Math.max(longestSpelling, lower.length);
  }
}

/**
 * Removes credentials from text: registered secret values in every encoding (and a secret's beginning left
 * at the end of a cut text), `Bearer` tokens, and `client_secret`, `refresh_token`, `access_token`,
 * `assertion`, `password` in query strings, form bodies, JSON and headers.
 */
export function redact(text: string): string {
  let out = text;
  let lower = out.toLowerCase();
  for (const sp of spellings) {
    if (!lower.includes(sp.lower)) continue;
    out = out.replace(sp.match, "[REDACTED]");
    lower = out.toLowerCase();
  }
  if (FORMAT_CHAR.test(out)) out = redactAcrossFormatChars(out);
  out = redactTrailingPrefix(out);
  return out
    .replace(/(authorization["']?\s*[:=]\s*["']?)(bearer\s+)?[^\s"',;}]+/gi, "$1$2[REDACTED]")
    .replace(/\bbearer\s+[A-Za-z0-9\-._~+/]+=*/gi, "Bearer [REDACTED]")
    .replace(
      /((?:client_secret|refresh_token|access_token|id_token|assertion|password)["']?\s*[:=]\s*["']?)[^&\s"',;}]+/gi,
      "$1[REDACTED]",
    );
}

/** Spellings split by invisible format characters (only tried when the text holds one). */
function redactAcrossFormatChars(text: string): string {
  let out = text;
  let bare = out.replace(FORMAT_CHARS, "").toLowerCase();
  for (const sp of spellings) {
    // Short secrets are matched as whole words only; splitting them is not worth a regular expression each.
    if (sp.text.length < MIN_SECRET_LENGTH || !bare.includes(sp.lower)) continue;
    sp.split ??= new RegExp(Array.from(sp.text, (c) => escapeRegExp(c)).join("\\p{Cf}*"), "giu");
    out = out.replace(sp.split, "[REDACTED]");
    bare = out.replace(FORMAT_CHARS, "").toLowerCase();
  }
  return out;
}

/** A text that ends with the beginning of a secret (at least MIN_PREFIX_LENGTH characters): that end redacted. */
function redactTrailingPrefix(text: string): string {
  // Candidate starts are looked up by their first characters, so the cost grows with the text's tail, not
  // with the number of registered secrets (every error and log line comes through here).
  for (let i = Math.max(0, text.length - (longestSpelling - 1)); i <= text.length - MIN_PREFIX_LENGTH; i++) {
    const candidates = byPrefix.get(text.slice(i, i + MIN_PREFIX_LENGTH).toLowerCase());
    if (candidates === undefined) continue;
    const tail = text.slice(i).toLowerCase();
    // The first start that matches gives the longest fragment; a whole occurrence was redacted already.
    if (candidates.some((c) => c.length > tail.length && c.startsWith(tail))) {
      return `${text.slice(0, i)}[REDACTED]`;
    }
  }
  return text;
}

/**
 * Redacts, then cuts to `max` characters, then redacts again what the cut may have left: a secret's
 * beginning at the new end. Redacting first means a secret cut at the boundary is still recognised whole.
 */
export function redactAndTruncate(text: string, max: number): string {
  const clean = redact(text);
  if (clean.length <= max) return clean;
  return `${redactTrailingPrefix(clean.slice(0, max))}...`;
}

/**
 * Characters that change how a terminal or a reader shows text: C0/C1 controls (ANSI escapes, CR, LF),
 * bidirectional controls (right-to-left override...), other invisible format characters, line and paragraph
 * separators. ZWJ/ZWNJ are kept: they are ordinary in Persian and Indic names and in emoji, and harmless.
 */
const UNPRINTABLE = /(?![\u200c\u200d])[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

/**
 * Text from the service (company, offer and product names, statuses, descriptions) made safe to show to a
 * person in a log line, an error message or a table: every control, bidi or invisible format character is
 * shown as its escape (`\u202e`), so it can neither move the cursor, forge a line, nor reorder the text.
 * Resource outputs keep the raw value; only what is formatted for a person goes through this.
 */
export function printable(text: string): string {
  // One `\uXXXX` per UTF-16 unit (a surrogate pair for an astral format character, e.g. a language tag), so
  // the escape is also valid JSON that reads back as the original (the audit trail relies on that).
  return text.replace(UNPRINTABLE, (c) =>
    Array.from({ length: c.length }, (_, i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, "0")}`).join(
      "",
    ),
  );
}

/**
 * Server text as one plain line, for a rendered report (Markdown, a job summary) where an escape would be
 * noise: the same characters as {@link printable} are dropped, and line breaks and separators become spaces.
 */
export function plainLine(text: string): string {
  return text.replace(UNPRINTABLE, (c) => (/\s/.test(c) ? " " : ""));
}

/** {@link printable}, but keeping line feeds: for a whole message whose own line breaks are intended. */
export function printableLines(text: string): string {
  return text.split("\n").map(printable).join("\n");
}
