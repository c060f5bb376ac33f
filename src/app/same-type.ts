// Compile-time equality of two types, for the places where one shape has two definitions that the
// layers keep apart (src/seg's and the contract's in src/api): `const x: Same<A, B> = true` fails
// to compile as soon as the two stop matching.
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
