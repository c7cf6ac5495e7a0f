package io.capstan.agent.process;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcStatTest {

    @Test
    void parsesAStatLineWhoseCommandHoldsSpacesAndParentheses() {
        String line = "4242 (my (odd) prog) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 100 "
                + "18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
        ProcStat s = ProcStat.parse(line);
        assertThat(s.pid()).isEqualTo(4242);
        assertThat(s.state()).isEqualTo('S');
        assertThat(s.ppid()).isEqualTo(1);
        assertThat(s.pgrp()).isEqualTo(4242);
        assertThat(s.session()).isEqualTo(4242);
        assertThat(s.startTicks()).isEqualTo(987654);
        assertThat(s.alive()).isTrue();
        assertThat(ProcStat.parse(line.replace(") S ", ") Z ")).alive()).isFalse();
    }

    @Test
    void readsThisProcess() {
        long self = ProcessHandle.current().pid();
        ProcStat s = ProcStat.read(self).orElseThrow();
        assertThat(s.pid()).isEqualTo(self);
        assertThat(s.startTicks()).isPositive();
        assertThat(ProcStat.readIfSame(self, s.startTicks())).isPresent();
        assertThat(ProcStat.readIfSame(self, s.startTicks() + 1)).isEmpty();
        assertThat(ProcStat.read(Integer.MAX_VALUE)).isEmpty();
    }
}
