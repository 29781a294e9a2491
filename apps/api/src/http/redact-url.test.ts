import { redactUrl } from './redact-url';

describe('redactUrl', () => {
  it.each([
    ['/api/v1/example/tables?api_key=flk_secret', '/api/v1/example/tables?api_key=%5Bredacted%5D'],
    ['/x?access_token=eyJ.abc.def&page=2', '/x?access_token=%5Bredacted%5D&page=2'],
    ['/x?API-KEY=a&Token=b&token=c', '/x?API-KEY=%5Bredacted%5D&Token=%5Bredacted%5D&token=%5Bredacted%5D'],
  ])('takes the credential out of %s', (url, logged) => {
    expect(redactUrl(url)).toBe(logged);
    expect(redactUrl(url)).not.toMatch(/flk_secret|eyJ/);
  });

  it('leaves URLs without credentials exactly as they were', () => {
    expect(redactUrl('/api/v1/example/ask/jobs/abc')).toBe('/api/v1/example/ask/jobs/abc');
    expect(redactUrl('/x?page=2&sort=name%20asc')).toBe('/x?page=2&sort=name%20asc');
  });
});
