export * from './address-policy';
export * from './callback-target';
export * from './post-callback';
export * from './signature';
export * from './webhook-sender';
