export * from './app-error';
export * from './job-failure';
export * from './messages';
export * from './permanent-failure';
export * from './time-left';
