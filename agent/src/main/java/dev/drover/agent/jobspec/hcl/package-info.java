/**
 * A small, lossless parser for HCL2 native syntax: the subset Nomad job files and agent
 * configuration files use, parsed into an AST whose every node carries its {@link
 * dev.drover.agent.jobspec.hcl.Pos position} (file, 1-based line and column).
 *
 * <p>Entry points: {@link dev.drover.agent.jobspec.hcl.HclParser#parse HclParser.parse} gives an
 * {@link dev.drover.agent.jobspec.hcl.HclBody}; {@link dev.drover.agent.jobspec.hcl.HclValues}
 * turns expressions or whole bodies into plain Java values. Problems are reported together in an
 * {@link dev.drover.agent.jobspec.hcl.HclException}, one {@code file:line:col: message} per problem.
 *
 * <h2>Supported</h2>
 * <ul>
 *   <li>Attributes {@code name = value}, one per line; blocks {@code type "label" label2 { ... }}
 *       with quoted or bare labels; single-line blocks {@code a { b = 1 }} (one attribute at most,
 *       as in HCL); an attribute name may appear once per body.
 *   <li>Comments {@code #}, {@code //} and {@code /* ... *}{@code /}; CRLF line endings; a BOM.
 *   <li>Strings with escapes {@code \n \t \r \" \\ \\uXXXX \\UXXXXXXXX}; heredocs {@code <<EOT}
 *       and {@code <<-EOT} (the latter strips the common indentation, HCL's rule). Template
 *       sequences {@code ${...}} and {@code %{...}} are not evaluated but kept verbatim, and
 *       {@code $${} / {@code %%{} become {@code ${} / {@code %{}, as HCL would print them. A
 *       sequence in a quoted string must close on the same line.
 *   <li>Numbers (Long when whole, else Double; a leading {@code -} is allowed), {@code true},
 *       {@code false}, {@code null}, lists {@code [a, b,]}, objects {@code { k = v, "k2": v }}
 *       (items separated by commas or newlines), parentheses.
 *   <li>References like {@code var.x} or {@code attr.kernel.name} parse as
 *       {@link dev.drover.agent.jobspec.hcl.HclExpr.Traversal} so the caller can reject them
 *       with a position.
 * </ul>
 *
 * <h2>Not supported (reported as errors)</h2>
 * Operators, conditionals, function calls, {@code for} expressions, splats outside references,
 * and computed object keys {@code (expr) = v}. Drover evaluates nothing.
 */
package dev.drover.agent.jobspec.hcl;
