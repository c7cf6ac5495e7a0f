package io.capstan.placement;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NodeRankerTest {

    private final NodeRanker ranker = new NodeRanker();

    @Test
    void spreadComesBeforeLoad() {
        ranker.offer(3, 1, 0.10, true);
        ranker.offer(7, 0, 0.90, false);
        assertThat(ranker.best()).isEqualTo(7);
        assertThat(ranker.bestPenalty()).isZero();
    }

    @Test
    void atEqualSpreadTheLessLoadedNodeWins() {
        ranker.offer(3, 0, 0.50, true);
        ranker.offer(7, 0, 0.40, false);
        assertThat(ranker.best()).isEqualTo(7);
    }

    @Test
    void atEqualLoadTheNodeAlreadyRunningTheActivationWins() {
        ranker.offer(3, 0, 0.40, false);
        ranker.offer(7, 0, 0.40, true);
        assertThat(ranker.best()).isEqualTo(7);
    }

    @Test
    void fullTiesGoToTheLowerNodeNameWhateverTheOfferOrder() {
        ranker.offer(7, 0, 0.40, false);
        ranker.offer(3, 0, 0.40, false);
        assertThat(ranker.best()).isEqualTo(3);
        ranker.reset();
        ranker.offer(3, 0, 0.40, false);
        ranker.offer(7, 0, 0.40, false);
        assertThat(ranker.best()).isEqualTo(3);
    }

    @Test
    void resetForgetsTheBest() {
        ranker.offer(3, 0, 0.40, false);
        ranker.reset();
        assertThat(ranker.best()).isEqualTo(-1);
    }
}
