import { decision } from "./decide.ts";

export const { usage, flags, run } = decision("approve");
