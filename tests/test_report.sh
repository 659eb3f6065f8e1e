#!/bin/sh
# dcgan report as a user meets it: --help and the usage errors, a missing run folder, the page
# of an empty folder, of a tiny trained run and of a hostile one (names and settings holding
# markup, quotes and newlines; a sample that is not a PNG): every section there, nothing
# referenced outside the page, every string from the folder escaped; the command the page
# gives resumes the run. Then headless Chromium (Debian's chromium, driven over the DevTools
# protocol by tests/tools/browser_check.js) opens each page: it renders, with and without
# scripts, with no console error and no request. Without chromium or node that part says SKIP.
BUILD=${BUILD:-build}
D="$BUILD/dcgan"
T=$(mktemp -d /tmp/dcgan-report-XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0; fail=0

. tests/cli_expect.sh

SECTIONS="summary samples losses d-outputs metrics model config resume"
# has_sections PAGE: every section's id once
has_sections() {
    for s in $SECTIONS; do
        [ "$(grep -c "<section id=\"$s\">" "$1")" -eq 1 ] || { echo "    no section $s"; return 1; }
    done
}
# self_contained PAGE: no http:// or https:// anywhere, no src= but data: URIs, the policy
self_contained() {
    ! grep -qi 'https\?://' "$1" && ! grep -o 'src="[^"]*' "$1" | grep -qv '^src="data:image/png;base64,' &&
        grep -q "http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:;" "$1"
}
# resume_command PAGE: the command in the page, unescaped
resume_command() {
    sed -n '/<pre id="resume-command">/,/<\/pre>/p' "$1" | sed -e 's/<pre id="resume-command"><code>//' \
        -e 's/<\/code><\/pre>//' -e "s/&#39;/'/g" -e 's/&quot;/"/g' -e 's/&lt;/</g' -e 's/&gt;/>/g' \
        -e 's/&amp;/\&/g'
}

expect 0 "" -- "$D" report --help
check "dcgan --help lists report" sh -c "'$D' --help | grep -q '^  report '"
expect 2 "\-\-run DIR is required" -- "$D" report
expect 2 "unknown option '--bogus'" -- "$D" report --run x --bogus
expect 2 "\-\-max-samples: bad value '0'" -- "$D" report --run x --max-samples 0
expect 2 "\-\-max-image-mb: bad value 'lots'" -- "$D" report --run x --max-image-mb lots
expect 2 "unexpected argument 'extra'" -- "$D" report --run x extra
expect 1 "$T/none: cannot open the run folder" -- "$D" report --run "$T/none"
: >"$T/file"
expect 1 "$T/file: not a folder" -- "$D" report --run "$T/file"

# an empty folder: a page that says what is missing
mkdir "$T/empty"
expect 0 "wrote $T/empty/report.html" -- "$D" report --run "$T/empty"
E="$T/empty/report.html"
check "empty run: every section" has_sections "$E"
check "empty run: says there is no log" grep -q "No log.csv: training has not started here." "$E"
check "empty run: says there are no settings" grep -q "<dd>No config.json: training has not started here.</dd>" "$E"
check "empty run: says there are no samples" grep -q "No sample grids yet" "$E"
check "empty run: self-contained" self_contained "$E"

# a tiny trained run, trained from its own folder with relative paths, 3 sample grids
"$BUILD/tests/tools/testtool" idx "$T/data/idx" 20 8 || { echo "FAIL: cannot make data"; exit 1; }
ROOT=$(pwd)
expect 0 "" -- sh -c "cd '$T' && '$ROOT/$D' train --data-dir data --dataset idx --out-dir out --out-name tiny \
    --batch-size 4 --z-dim 4 --gf-dim 2 --df-dim 2 --gfc-dim 8 --dfc-dim 8 --max-steps 3 --sample-freq 1 \
    --ckpt-freq 3 --threads 1 --quiet"
R="$T/out/tiny"
printf '{"iteration":2,"n":10,"fid":80.5,"kid":0.2,"precision":0.1,"recall":0.0}\n{"iteration":3,"n":10,"fid":70.25,"kid":0.1,"precision":0.2,"recall":0.05}\n' >"$R/metrics.jsonl"
expect 0 "" -- "$D" report --run "$R" --out "$T/tiny.html"
P="$T/tiny.html"
check "tiny run: every section" has_sections "$P"
check "tiny run: self-contained" self_contained "$P"
check "tiny run: 3 grids and real.png embedded" [ "$(grep -c '<figure class="step"><img' "$P")" -eq 3 \
    -a "$(grep -c '<figure class="real"><img' "$P")" -eq 1 ]
check "tiny run: losses, D outputs, FID, KID and shares drawn" [ "$(grep -c '<svg ' "$P")" -eq 5 ]
check "tiny run: metrics table, newest first" grep -q '<tr><td class="num">3</td><td class="num">10</td><td class="num">70.25</td>' "$P"
check "tiny run: the generator's layers from the checkpoint" grep -q '<td>g_h0_lin</td>' "$P"
check "tiny run: the iterations" grep -q '<dd>3 (epoch 0) of 3 planned</dd>' "$P"
expect 0 "" -- "$D" report --run "$R" --out "$T/two.html" --max-samples 2
check "--max-samples 2: the first and the newest" [ "$(grep -c '<figure class="step"><img alt="iteration [13]"' "$T/two.html")" -eq 2 ]
check "--max-samples 2: the page says so" grep -q "2 of the 3 sample grids" "$T/two.html"
expect 0 "" -- "$D" report --run "$R" --out "$T/small.html" --max-image-mb 0
check "--max-image-mb 0: the newest grid alone" [ "$(grep -c '<figure class="step"><img alt="iteration 3"' "$T/small.html")" -eq 1 \
    -a "$(grep -c '<figure class="step">' "$T/small.html")" -eq 1 ]
# the command the page gives resumes the run (here one iteration further)
cmd=$(resume_command "$P")
check "the resume command goes to the folder training ran in" sh -c "printf '%s' \"\$1\" | grep -q \"^cd $T &&\"" - "$cmd"
expect 0 "resuming out/tiny/checkpoints/ckpt-00000003.safetensors from iteration 3" -- \
    sh -c "$cmd --max-steps 4 --quiet"
check "resumed: iteration 4 logged" grep -q '^4,' "$R/log.csv"

# a hostile run folder: markup, quotes and a newline in its name and settings, a fake PNG
H="$T/evil<img src=x onerror=alert(\"name\")>'
x"
mkdir -p "$H/samples"
cp "$R/samples/train_00000001.png" "$H/samples/train_00000001.png"
printf '<script>alert("png")</script>' >"$H/samples/train_00000002.png"
# values a shell would run if the resume command did not quote them: they would make $T/pwned
cat >"$H/config.json" <<EOF
{"dataset": "<img src=x onerror=alert(1)>\$(touch $T/pwned)", "data_source": "data/<img src=x onerror=alert(1)>",
 "input_fname_pattern": "*'; touch $T/pwned; '", "z_dist": "</title><script>alert(3)</script>",
 "<b>key</b>": "a'b\\"c\\nd", "class_names": ["</code><script>alert(2)</script>", "&amp;"],
 "run_dir": "out/x'; rm -rf ~;'"}
EOF
printf 'iteration,epoch,batch,seconds,d_loss,d_loss_real,d_loss_fake,g_loss,d_real,d_fake\n1,0,0,0.5,1.4,0.7,0.7,0.7,0.5,0.5\n' >"$H/log.csv"
expect 0 "" -- "$D" report --run "$H" --out "$T/evil.html"
V="$T/evil.html"
check "hostile run: every section" has_sections "$V"
check "hostile run: self-contained" self_contained "$V"
check "hostile run: only the page's own script" [ "$(grep -ci '<script' "$V")" -eq 1 ]
check "hostile run: no markup from the folder" sh -c "! grep -q '<img src=x\|<b>key\|alert(\"' '$V'"
check "hostile run: its name escaped" grep -q '<h1>evil&lt;img src=x onerror=alert(&quot;name&quot;)&gt;&#39;$' "$V"
check "hostile run: the fake PNG left out, named" grep -q 'train_00000002.png: not a PNG file' "$V"
check "hostile run: a setting's value escaped" grep -q '<tr><th>&lt;b&gt;key&lt;/b&gt;</th><td>a&#39;b&quot;c$' "$V"
sh -c "$(resume_command "$V") --help" >/dev/null 2>&1
check "hostile run: the resume command quotes what it names (nothing in it ran)" [ ! -e "$T/pwned" ]

# in a browser: Debian's chromium, driven by node over the DevTools protocol
if ! command -v node >/dev/null 2>&1 || [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
    echo "SKIP: the browser check needs node and chromium (scripts/install-deps installs them)"
else
    for page in "$E:0" "$P:5" "$V:2"; do # the page and the charts it has
        charts=${page##*:}; page=${page%:*}
        name=$(basename "$page" .html)
        node tests/tools/browser_check.js "$page" "$T/$name.png" >"$T/$name.json" 2>"$T/$name.err"
        rc=$?
        if [ "$rc" -eq 3 ]; then
            echo "SKIP: chromium did not run: $(node -e 'console.log(JSON.parse(require("fs").readFileSync(0)).error)' <"$T/$name.json" 2>/dev/null)"
            break
        fi
        check "chromium: $name.html loads with no request, console error or exception" [ "$rc" -eq 0 ]
        [ "$rc" -eq 0 ] || sed 's/^/    /' "$T/$name.json" | head -30
        check "chromium: $name.html shows every section, image and chart, with and without scripts" \
            node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1]));
const want = process.argv[2].split(" "), charts = +process.argv[3];
let ok = r.loads.length === 2;
for (const l of r.loads)
    ok = ok && want.every((s) => l.sections.includes(s)) && l.images_decoded === l.images &&
         l.images_shown === l.images && l.charts === charts;
const js = r.loads.find((l) => l.scripts), nojs = r.loads.find((l) => !l.scripts);
/* the script adds the slider and its two images (the newest grid, real.png) */
ok = ok && (nojs.images === 0 ? !js.slider : js.slider && js.images > nojs.images && !nojs.slider);
if (!ok) console.log(JSON.stringify(r.loads));
process.exit(ok ? 0 : 1);' "$T/$name.json" "$SECTIONS" "$charts"
        check "chromium: $name.png is a screenshot" [ "$(wc -c <"$T/$name.png" 2>/dev/null || echo 0)" -gt 10000 ]
    done
    [ -n "$REPORT_SHOTS" ] && mkdir -p "$REPORT_SHOTS" && cp "$T"/*.png "$T"/*.html "$REPORT_SHOTS"/ 2>/dev/null
fi

echo "test_report: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
