import { describe, expect, it } from "vitest";
import { allOf, equals, notEquals, oneOf, sqlString } from "./sql-literal.ts";

describe("sql literals", () => {
  it("doubles single quotes so a value cannot close its literal", () => {
    expect(sqlString("it's")).toBe("'it''s'");
    expect(sqlString("x'; DROP TABLE failures; --")).toBe("'x''; DROP TABLE failures; --'");
    expect(sqlString("''")).toBe("''''''");
    expect(equals("run_id", "a'b")).toBe("run_id = 'a''b'");
    expect(notEquals("run_id", "a'b")).toBe("run_id != 'a''b'");
    expect(oneOf("model_version", ["v1", "a'b"])).toBe("model_version IN ('v1', 'a''b')");
    expect(oneOf("model_version", [])).toBe("false");
  });

  it("joins present clauses with AND, or gives undefined for none", () => {
    expect(allOf([undefined, undefined])).toBeUndefined();
    expect(allOf(["a = 1", undefined, "b = 2"])).toBe("(a = 1) AND (b = 2)");
  });
});
