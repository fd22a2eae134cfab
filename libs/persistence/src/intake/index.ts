// Repositories of the intake service; exported through the lib index.
export {};
