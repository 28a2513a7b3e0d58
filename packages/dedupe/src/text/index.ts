/**
 * Text preparation for fingerprints: which lines of a story count as copy (`copy-lines.ts`,
 * leftover HTML read by `html-lines.ts`), and how words are normalized so that trivial edits
 * (quotes, `mln`/`million`, British/American spelling, accents) do not change the fingerprint
 * (`spelling.ts`, `words.ts`), read by the tokenizer (`tokenizer.ts`). Pure.
 */
export { isAllCaps } from './chars';
export { copyLines } from './copy-lines';
export { htmlToLines } from './html-lines';
export { foldWord } from './spelling';
export { CopyScanner, tokenize, type CopyTokens } from './tokenizer';
export { TOKEN_CAPITAL, TOKEN_FIGURE, TOKEN_STOP, type Token } from './words';
