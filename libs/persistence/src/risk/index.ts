// Repositories of the risk service; exported through the lib index.
export {};
