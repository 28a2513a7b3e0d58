import type { Result } from '@wire/schema';
import type { DraftStory, ParseInput } from '../draft';
import type { NormalizeError } from '../errors';
import type { FormatId } from '../detect';
import * as apMedia from './ap-media';
import * as email from './email';
import * as html from './html';
import * as iptc7901 from './iptc7901';
import * as newsml1 from './newsml1';
import * as newsmlG2 from './newsml-g2';
import * as ninjs from './ninjs';
import * as nitf from './nitf';
import * as ritzau from './ritzau';
import * as rss from './rss';
import * as text from './text';

export type FormatParser = (input: ParseInput) => Result<DraftStory[], NormalizeError>;

/**
 * The parser module for each detected format. A format missing here is detected but not yet
 * supported: `normalize` answers `WIRE_ERR_UNSUPPORTED_FORMAT` for it.
 */
export const PARSERS: Partial<Record<FormatId, FormatParser>> = {
  ninjs: ninjs.parse,
  'ap-media': apMedia.parse,
  'newsml-g2': newsmlG2.parse,
  nitf: nitf.parse,
  newsml1: newsml1.parse,
  rss: rss.parse,
  ritzau: ritzau.parse,
  iptc7901: iptc7901.parse,
  email: email.parse,
  html: html.parse,
  text: text.parse,
};
