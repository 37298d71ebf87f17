/** Types for loopback-policy.mjs (plain JavaScript so that child processes load it before tsx). */
export declare function isLoopbackAddress(host: unknown): boolean;
export declare function isTestName(name: unknown): boolean;
export declare function guardLoopback(refused: (message: string) => void): void;
