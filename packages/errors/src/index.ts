export * from './app-error';
export * from './job-failure';
