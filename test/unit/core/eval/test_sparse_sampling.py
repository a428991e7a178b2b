"""Simulated sparse LiDAR sampled from ground-truth depth."""
import numpy as np

from monodepth_ros.core.eval.sparse_sampling import sparse_from_beams


def test_beams_sample_evenly_spaced_rows_from_10_to_90_percent_of_the_height():
    gt = np.arange(101 * 9, dtype=np.float32).reshape(101, 9) + 1.0
    sparse = sparse_from_beams(gt, beams=5, column_step=4)
    rows, columns = np.nonzero(np.isfinite(sparse))
    assert sorted(set(rows.tolist())) == [10, 30, 50, 70, 90]
    assert sorted(set(columns.tolist())) == [0, 4, 8]
    assert rows.size == 15
    np.testing.assert_array_equal(sparse[rows, columns], gt[rows, columns])


def test_beams_have_no_return_where_there_is_no_ground_truth():
    gt = np.full((101, 8), 3.0, dtype=np.float32)
    gt[10, 0] = 0.0
    gt[50, 2] = np.nan
    sparse = sparse_from_beams(gt, beams=3, column_step=2)
    assert sparse.dtype == np.float32
    assert np.isnan(sparse[10, 0]) and np.isnan(sparse[50, 2])
    assert np.isfinite(sparse).sum() == 3 * 4 - 2
