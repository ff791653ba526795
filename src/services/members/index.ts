export * from './add-member';
export * from './list-members';
export * from './member-access';
export * from './remove-member';
export * from './schemas';
export * from './update-member';
