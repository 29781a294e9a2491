export * from './render-svg';
export * from './suggest-chart';
