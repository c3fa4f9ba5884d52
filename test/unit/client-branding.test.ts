import assert from 'node:assert/strict';
import { test } from 'node:test';
import { imageSources, logoUriProblem, supportUrlProblem } from '../../src/core/oidc/client-branding.ts';
import { pageLanguageOf } from '../../src/core/oidc/ui-locales.ts';

test('a logo is an https address with nothing that ends a CSP source', () => {
  assert.equal(logoUriProblem('https://cdn.example/logo.png', true), null);
  assert.equal(logoUriProblem('http://localhost:3001/logo.png', false), null);
  assert.match(String(logoUriProblem('http://localhost:3001/logo.png', true)), /https is required/);
  assert.match(String(logoUriProblem('http://cdn.example/logo.png', true)), /https is required/);
  for (const bad of [
    'https://cdn.example/a b.png',
    'https://cdn.example/a;b.png',
    'https://cdn.example/a,b.png',
    "https://cdn.example/a'b.png",
  ])
    assert.match(String(logoUriProblem(bad, true)), /not accepted/, bad);
  assert.match(String(logoUriProblem('https://cdn.example/l.png?t=1', true)), /query/);
  assert.match(String(logoUriProblem('https://user:pw@cdn.example/l.png', true)), /credentials/);
  assert.match(String(logoUriProblem('ftp://cdn.example/l.png', true)), /only http\(s\)/);
  assert.match(String(supportUrlProblem('javascript:alert(1)', true)), /support page/);
  assert.equal(supportUrlProblem('https://shop.example/help', true), null);
});

test('the image sources add exactly the one logo', () => {
  assert.equal(imageSources(null), `'self' data:`);
  assert.equal(imageSources('https://cdn.example/logo.png'), `'self' data: https://cdn.example/logo.png`);
});

test('ui_locales picks the first language the pages speak', () => {
  assert.equal(pageLanguageOf('fr-CA en-US ja'), 'en');
  assert.equal(pageLanguageOf('ja-JP'), 'ja');
  assert.equal(pageLanguageOf('JA'), 'ja');
  assert.equal(pageLanguageOf('fr de'), null);
  assert.equal(pageLanguageOf(''), null);
  assert.equal(pageLanguageOf(undefined), null);
  assert.equal(pageLanguageOf(['en']), null);
});
