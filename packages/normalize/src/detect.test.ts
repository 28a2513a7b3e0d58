import { describe, expect, it } from 'vitest';
import { detectFormat } from './detect';

describe('detectFormat', () => {
  it.each([
    ['{"uri":"x","type":"text","headlines":[{"value":"h"}]}', 'ninjs'],
    ['{"guid":"x","versioncreated":"2024-01-01T00:00:00Z","body_html":"<p>b</p>"}', 'ninjs'],
    ['{"api_version":"2.16","data":{"item":{"altids":{}}}}', 'ap-media'],
    ['{"data":{"current_item_count":10,"items":[]}}', 'ap-media'],
    ['<?xml version="1.0"?>\n<!-- c -->\n<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/">', 'newsml-g2'],
    ['<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="x">', 'newsml-g2'],
    ['<?xml version="1.0"?><nitf version="-//IPTC//DTD NITF 3.6//EN">', 'nitf'],
    ['<?xml version="1.0"?><!DOCTYPE NewsML SYSTEM "NewsML_1.2.dtd"><NewsML Version="1.2">', 'newsml1'],
    ['<rss version="2.0"><channel>', 'rss'],
    ['<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">', 'rss'],
    ['\u0016\u0016\u0001a0123 r f BC-Korea\u0002 SEOUL', 'iptc7901'],
    ['\u0001ZCZC\r\n\u0002HEADLINE', 'iptc7901'],
    ['From: desk@joongang.co.kr\nTo: wire@example.com\nSubject: Kim visit\nDate: Wed, 13 Sep 2023 01:00:00 +0900\n\nBody', 'email'],
    ['<!DOCTYPE html><html><body><p>x</p></body></html>', 'html'],
    ['<html lang="en"><head><title>x</title></head>', 'html'],
    ['58 F\nLos Angeles\nMonday, April 29, 2024\n\nKim Jong-un says visit', 'text'],
    ['{"total":2,"limit":10,"offset":0,"item":[{"uri":"x","type":"article"}]}', 'ninjs'],
    ['<?xml version="1.0"?><ArrayOfRBNews xmlns="http://schemas.datacontract.org/2004/07/Ritzau"><RBNews><content>x</content></RBNews></ArrayOfRBNews>', 'ritzau'],
    ['<News xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><byLine>A</byLine><byLineEmail>a@b.dk</byLineEmail><content>x</content></News>', 'ritzau'],
  ])('%#: %s → %s', (text, format) => {
    expect(detectFormat(text)).toBe(format);
  });

  it('does not trust file names and returns nothing for unknown structured input', () => {
    expect(detectFormat('{"a":1}', { filename: 'story.ninjs.json' })).toBeUndefined();
    expect(detectFormat('<catalog><book/></catalog>', { filename: 'story.nitf.xml' })).toBeUndefined();
    expect(detectFormat('')).toBeUndefined();
  });

  it('does not take a story that quotes a header line for an e-mail', () => {
    expect(detectFormat('Subject: the budget\n\nThe minister said the budget would pass.')).toBe('text');
  });
});
