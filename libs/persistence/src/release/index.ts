// Repositories of the release service; exported through the lib index.
export {};
