/** A metric as fixed-point text, e.g. 0.8 -> "0.8000". */
export function fixed(x: number, digits = 4): string {
  return x.toFixed(digits);
}

/** A change with an explicit sign, e.g. 0.02 -> "+0.0200", -0.02 -> "-0.0200", 0 -> "+0.0000". */
export function signed(x: number, digits = 4): string {
  const s = x.toFixed(digits);
  if (Number(s) === 0) return `+${s.replace("-", "")}`; // -0.00001 rounds to "-0.0000"
  return s.startsWith("-") ? s : `+${s}`;
}

/** A confidence level as a percentage, e.g. 0.95 -> "95%", 0.975 -> "97.5%". */
export function percent(x: number): string {
  return `${Number((x * 100).toFixed(2))}%`;
}
