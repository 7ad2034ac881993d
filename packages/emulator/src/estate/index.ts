/** The estate: types (types.ts), the sample and synthetic estates (fixtures.ts), validation (normalise.ts). */
export * from "./types";
export * from "./fixtures";
export * from "./normalise";
