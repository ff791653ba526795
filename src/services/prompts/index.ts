export * from './render-saved-prompt';
export * from './saved-prompts';
