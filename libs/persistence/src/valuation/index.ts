// Repositories of the valuation service; exported through the lib index.
export {};
