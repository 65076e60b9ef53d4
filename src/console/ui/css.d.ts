/** main.tsx imports the stylesheet for esbuild to bundle; TypeScript needs only to know it exists. */
declare module "*.css";
