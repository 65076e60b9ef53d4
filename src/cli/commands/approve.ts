import { decision } from "./decide.ts";

export const { usage, run } = decision("approve");
