// gender-detection-from-name ships its English first-name table as a CommonJS Map without types.
declare module 'gender-detection-from-name/names/en.js' {
  const names: ReadonlyMap<string, 'male' | 'female'>;
  export default names;
}
