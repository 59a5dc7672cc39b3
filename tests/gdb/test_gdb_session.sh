#!/usr/bin/env bash
# A debugging session in gdb-multiarch on the session's program (firmware/debug_target.c, -O0 -g) through airswdd
# on a simulated part: load, break at a function, continue, registers, the backtrace to main, finish, next and step
# through C lines, print globals and locals, set var and its effect on the USART, a write watchpoint that stops at
# the writing line, a read watchpoint, a fault through a bad pointer reported as SIGSEGV with the stack unwinding to
# the faulting function, Ctrl-C while the program runs (SIGINT to gdb in continue), run again from reset to main,
# detach. On the F411 (M4F) the registers include the FPU's
# and a float prints right. Each result is checked in gdb's output.
# Usage: test_gdb_session.sh PATH/TO/airswdd ELF PART
set -u
airswdd=$1 elf=$2 part=$3
source "$(dirname "$0")/gdb_daemon.sh"
require_tools gdb
[[ -f $elf ]] || skip_test "the session's program is not built (arm-none-eabi-gcc missing)"

# section NAME COMMAND...: the gdb commands of one step, between echo markers so each result is checked alone.
commands=()
section() {
  commands+=("echo @@ $1\\n")
  commands+=("${@:2}")
}
# output_of NAME: what gdb printed for section NAME.
output_of() { awk -v name="@@ $1" '$0 == name { on = 1; next } /^@@ / { on = 0 } on' "$work/gdb.out"; }
has() { output_of "$1" | grep -qE -- "$2"; }
count_in() { output_of "$1" | grep -cE -- "$2"; }
# joined NAME: the section's output on one line (for results gdb spreads over several).
joined() { output_of "$1" | tr '\n' ' '; }

section scan "monitor swdp_scan" "attach 1" "load" "monitor stats"
section break "break add_step" "continue"
section registers "info registers"
section backtrace "bt"
section finish "finish"
section next "next" "next"
section step "next" "step"
section print "print step_size" "print number" "up" "print total" "down"
section setvar "set var message_number = 42" "delete" "watch counter" "continue"
section watch_again "continue"
section rwatch "delete" "rwatch step_size" "continue"
# Ctrl-C as a terminal sends it: SIGINT to gdb while it waits in continue (gdb then sends the interrupt byte).
section interrupt "delete" 'shell (sleep 1; kill -INT $PPID) &' "continue"
section float "print gain" "print gain * 2"
section fpu "info all-registers"
section fpu_value "set var \$s15 = gain" "print \$s15"
section fault "set var fault_requested = 1" "continue"
section fault_bt "bt"
section rerun "delete" "break main" "run"
section rerun_where "info line *\$pc" "print fault_requested"
# The greetings in the log so far: the program stopped at main has not printed its own yet.
section detach \
  "shell grep '^airswdd: uart: ' $work/daemon.err | grep -o 'debug target ready' | wc -l > $work/ready.before" "detach"

check "airswdd on $part with debug mode on opens its GDB port" start_gdb_daemon "$part"
run_gdb "$work/gdb.out" "$elf" "${commands[@]}"
check "gdb runs the whole session" test $? = 0
sed 's/^/    gdb: /' "$work/gdb.out"

check "swdp_scan lists the part" has scan '^ 1 +STM32'
check "load writes the program" has scan '^Start address 0x'
check "  and verifies it on the target" has scan '^last load: [0-9]+ bytes, .* [1-9][0-9]* runs verified,'
check "continue stops at the breakpoint in add_step" has break 'Breakpoint 1, add_step \(value=0, step=3\)'
check "info registers: r0-r12" test "$(count_in registers '^r([0-9]|1[0-2]) +0x')" = 13
check "  and pc in add_step" has registers '^pc +0x[0-9a-f]+ +0x[0-9a-f]+ <add_step'
check "  and xpsr, msp, psp" has registers '^xpsr +0x'
check "bt goes from add_step back to main" has backtrace '^#1 +0x[0-9a-f]+ in main \(\)'
check "finish returns to main with the sum" has finish 'Value returned is \$[0-9]+ = 3'
check "next walks main's lines" has next 'counter = total;|float scaled'
check "step enters report" has step 'report \(number=7\)'
check "print a global" has print '^\$[0-9]+ = 3$'
check "print a local (in report's caller, main)" test "$(count_in print '^\$[0-9]+ = ')" = 3
check "a write watchpoint stops at the writing line" has setvar 'atchpoint 2: counter'
check "  in main, right after the store" has setvar '^(0x[0-9a-f]+ in )?main \(\) at .*debug_target.c:7[01]$'
check "  with the old and the new value" grep -qE 'Old value = 3 +New value = 6' <(joined setvar)
check "  and again one round later" has watch_again 'New value = 9'
check "a read watchpoint stops where step_size is read" has rwatch 'atchpoint 3: step_size'
check "set var changes what the program prints" grep -q "uart: number 42" "$work/daemon.err"
check "Ctrl-C (gdb's interrupt, the byte 0x03) stops the running program" \
  has interrupt 'received signal SIGINT, Interrupt'
check "  and shows where the program was" has interrupt '^(0x[0-9a-f]+ in )?[A-Za-z_0-9]+ \(.*\) at [^ ]+:[0-9]+$'
check "a float global prints right" has float '^\$[0-9]+ = 1.5$'
check "  and takes arithmetic" has float '^\$[0-9]+ = 3$'
check "a bad pointer stops the program with SIGSEGV" has fault 'SIGSEGV'
check "  the console says which fault and where" has fault '(HardFault|BusFault) at 0x'
check "  and the stack unwinds to the faulting function" has fault_bt 'touch_bad_pointer \(\)'
check "run starts again from reset and stops at main" has rerun 'Breakpoint [0-9]+, main \(\)'
check "  with the program's globals as at reset" has rerun_where '^\$[0-9]+ = 0$'
check "detach lets the program go" has detach 'detached\]'
check "no protocol error in the session" \
  bash -c "! grep -qiE 'protocol error|remote failure|internal-error' '$work/gdb.out'"
if [[ $part == stm32f411ce ]]; then
  check "the M4F's registers include s0-s31" test "$(count_in fpu '^s([0-9]|[12][0-9]|3[01]) ')" = 32
  check "  and fpscr" has fpu '^fpscr '
  check "  a float's value in an S register reads back right" has fpu_value '^\$[0-9]+ = 1.5$'
fi
# run stopped the program at main, before its greeting on the USART: after detach it goes on from there, and the
# log gains one greeting. A reset may cut a line short ("debug target r", "numbe"): the next line then follows it on
# the same log line, so whole greetings are counted, not lines.
ready_count() { grep '^airswdd: uart: ' "$work/daemon.err" | grep -o 'debug target ready' | wc -l; }
ready_before=$(cat "$work/ready.before" 2>/dev/null || echo missing)
for _ in $(seq 1 50); do
  [[ $ready_before != missing ]] && (($(ready_count) == ready_before + 1)) && break
  sleep 0.1
done
check "the program goes on from main after detach" test "$(ready_count)" = "$((ready_before + 1))"
((failures == 0)) || grep "uart:" "$work/daemon.err" | sort | uniq -c | sed 's/^/    /'

stop_daemon
check "airswdd stops cleanly" test $? = 0
((failures == 0))
