import { describe, expect, it } from 'vitest';
import { splitBlocks } from './html';

describe('splitBlocks', () => {
  it('keeps each top-level element whole, nested markup included', () => {
    expect(splitBlocks('<p>a <b>b</b></p>\n<ul><li>x</li><li>y</li></ul>loose <br/> text<p>c</p>')).toEqual([
      '<p>a <b>b</b></p>',
      '<ul><li>x</li><li>y</li></ul>',
      'loose',
      '<br/>',
      'text',
      '<p>c</p>',
    ]);
  });
});
