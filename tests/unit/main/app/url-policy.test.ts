import { describe, expect, it } from 'vitest';
import { externalLinkTarget, isLabPage } from '../../../../main/app/url-policy';

describe('Electron shell URL policy', () => {
  it('opens only plain http(s) links externally', () => {
    expect(externalLinkTarget('https://kubernetes.io/docs/')).toBe('https://kubernetes.io/docs/');
    expect(externalLinkTarget('http://example.test/a?b=c')).toBe('http://example.test/a?b=c');
    for (const bad of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'data:text/html,x', 'not a url', 'https://user:pw@example.test/']) {
      expect(externalLinkTarget(bad), bad).toBeUndefined();
    }
  });

  it('recognises the lab’s own pages by exact origin', () => {
    const lab = 'http://127.0.0.1:43210';
    expect(isLabPage('http://127.0.0.1:43210/', lab)).toBe(true);
    expect(isLabPage('http://127.0.0.1:43210/#token=x', lab)).toBe(true);
    expect(isLabPage('http://127.0.0.1:43211/', lab)).toBe(false);
    expect(isLabPage('http://localhost:43210/', lab)).toBe(false);
    expect(isLabPage('https://127.0.0.1:43210/', lab)).toBe(false);
    expect(isLabPage('', lab)).toBe(false);
  });
});
