"""The topic analysis's settings, importable without scikit-learn (the CLI starts fast)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TopicSettings:
    """Every threshold of the topic analysis, with how it was calibrated.

    Calibration: ``python bench/offtopic_data.py --calibrate`` generates company sites from
    business scopes (company-scope-zh; three own pages of ~200 characters, a trade-fair page in
    half of them) reposting cut-down cnews-1000 articles whose topic clearly fits the site's
    industry or clearly does not. Values were chosen on seed A (6 industries) and measured on
    seed B (other articles, other companies, 8 industries, 2 never seen in calibration).
    """

    # Cosine similarity below which a page is off-topic, when the reference is labelled
    # (sources with categories). Seed A (305 pages, 106 off-topic): best F1 at 0.03, P 0.866
    # R 0.972 F1 0.916. Held-out seed B (417 pages, 141 off-topic): P 0.878 R 0.915 F1 0.896,
    # below the 0.95 gate: IT sites' 科技 reposts (camera reviews) are flagged (10 of 10), and
    # construction (never calibrated on) loses 6 房产 reposts. No own page is ever flagged.
    threshold: float = 0.03
    # The same with a reference without categories (IDF over the run's pages and sources).
    # Seed A: best F1 at 0.0375, P 0.714 R 0.943 F1 0.813; seed B: P 0.603 R 0.957 F1 0.740.
    threshold_unlabelled: float = 0.0375
    # The same without any reference (IDF from the site's own texts: flatter, so higher values).
    # Seed A: best F1 at 0.0825, P 0.669 R 0.972 F1 0.792; seed B: P 0.585 R 0.979 F1 0.732.
    threshold_site_only: float = 0.0825
    # A site whose profile without the judged page has fewer letters and digits than this
    # (navigation labels not counted) gets verdict "unknown", unless the user gave a profile.
    # Three own pages of ~200 characters must suffice: leave-one-out leaves two (~400).
    min_profile_chars: int = 150
    # A page with fewer letters and digits than this in its title and main text is "unknown".
    min_page_chars: int = 30
    top_terms: int = 8
    # Character n-gram lengths for CJK runs (Latin text gives whole words).
    cjk_ngram_min: int = 1
    cjk_ngram_max: int = 3
    # Weights in the profile, relative to one own page: the user's --site-profile and the
    # site's metadata (name, navigation, keywords, descriptions).
    user_profile_weight: float = 2.0
    meta_weight: float = 1.0
    # Category concentration of terms (labelled reference only): additive smoothing of the
    # per-category rates, the power that sharpens 1 - entropy, and a floor so that words the
    # labelled texts never saw still count a little. Chosen on seed A: power 2 gave F1 0.909,
    # a floor of 0.02 F1 0.902 (B: 0.884, 0.862).
    category_smoothing: float = 1.0
    category_power: float = 3.0
    concentration_floor: float = 0.0
    # Weight of the source category's centroid added to a repost's own vector. Seed A F1:
    # 0.912 at 1, 0.916 at 2, 0.919 at 4 (B: 0.889, 0.896, 0.898); 0 (no centroid) gave 0.85.
    category_weight: float = 2.0
    centroid_terms: int = 4000

    def __post_init__(self) -> None:
        for name in ("threshold", "threshold_unlabelled", "threshold_site_only", "concentration_floor"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"topic {name} must lie in [0, 1], got {getattr(self, name)}")
        if min(self.min_profile_chars, self.min_page_chars, self.top_terms) < 0:
            raise ValueError("topic min_profile_chars, min_page_chars and top_terms must not be negative")
        if not 1 <= self.cjk_ngram_min <= self.cjk_ngram_max:
            raise ValueError("topic CJK n-gram lengths must satisfy 1 <= min <= max")
        if self.user_profile_weight <= 0 or self.meta_weight < 0 or self.category_weight < 0:
            raise ValueError("topic profile and category weights must not be negative")
        if self.category_smoothing <= 0 or self.category_power <= 0 or self.centroid_terms < 1:
            raise ValueError("topic category_smoothing, category_power and centroid_terms must be positive")
