# bai-switch BRANCH: preview the switch, confirm, downgrade each Alembic tree, switch, re-export.
# Reads `export-dev --preview --output-format=json` with python3; run it from the repo's root.
bai-switch() {
  [ -n "$1" ] || { echo "usage: bai-switch BRANCH" >&2; return 2; }
  local preview downgrades answer tab ini target
  preview="$(./pants export-dev --preview="$1" --output-format=json)"
  downgrades="$(printf '%s' "$preview" | python3 -c '
import json, sys
try:
    doc = json.load(sys.stdin)
except ValueError:
    sys.exit("bai-switch: export-dev printed no JSON (see above); run it from the repo root.")
if "error" in doc:
    sys.exit("bai-switch: " + doc["error"]["message"])
say = lambda text: print(text, file=sys.stderr)
say("Switching to %s:" % doc["to"])
for number, step in enumerate(doc["steps"], 1):
    say("  %d. %s" % (number, step))
for copy in doc["local_copies"]:
    for key in copy["missing"]:
        value = "(a secret)" if key["secret"] else json.dumps(key["value"])
        say("  %s lacks %s = %s" % (copy["copy"], key["key"], value))
    if copy["error"]:
        say("  " + copy["error"])
for problem in doc["problems"]:
    say("  %s: %s" % (problem.get("path") or problem["code"], problem["message"]))
if doc["exit_code"] != 0:
    sys.exit("bai-switch: the preview failed (see above).")
if any(tree.get("by_hand") for tree in doc["alembic_trees"]):
    sys.exit("bai-switch: undo those migrations by hand first.")
for tree in doc["alembic_trees"]:
    for target in tree.get("targets", []):
        print(tree["ini"] + "\t" + target)
')" || return 1
  printf 'Go ahead? [y/N] '; read -r answer; [ "$answer" = y ] || return 1
  tab="$(printf '\t')"
  # Fed by a here-document, not a pipe: zsh runs a pipe's last part in this shell, where `exit`
  # would close the terminal; this way `return` leaves the function in bash and zsh alike.
  while IFS="$tab" read -r ini target; do
    [ -n "$ini" ] || continue
    echo "+ alembic -c $ini downgrade $target"; alembic -c "$ini" downgrade "$target" || return 1
  done <<EOF
$downgrades
EOF
  git switch "$1" && ./pants export-dev
}
