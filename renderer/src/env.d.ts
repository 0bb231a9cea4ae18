// Vite bundles CSS imported for its side effect; TypeScript only needs to know that is allowed.
declare module '*.css';
