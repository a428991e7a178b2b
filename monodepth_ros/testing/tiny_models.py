"""Tiny random transformers depth models (DPT, Depth Anything, ZoeDepth, GLPN) for tests, saved to local folders
as a hub model would be: model.safetensors, config.json and preprocessor_config.json."""
from __future__ import annotations

from pathlib import Path

import torch
import transformers


def randomise(model: torch.nn.Module) -> torch.nn.Module:
    """Spread the weights so the tiny model's output varies over the image."""
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for parameter in model.parameters():
            if parameter.dim() > 1:
                parameter.copy_(torch.randn(parameter.shape, generator=generator) * 0.2)
            else:
                parameter.add_(torch.randn(parameter.shape, generator=generator) * 0.2)
    return model.eval()


def save_model_folder(folder: Path, model: torch.nn.Module, processor) -> str:
    """``model`` (randomised) and ``processor`` saved to ``folder``; returns the folder as a string."""
    randomise(model).save_pretrained(folder)
    processor.save_pretrained(folder)
    return str(folder)


def dinov2_dpt_head() -> dict:
    """Config fields of a tiny Depth Anything (DINOv2 backbone + DPT head) at 28 x 28 pixels."""
    backbone = transformers.Dinov2Config(image_size=28, patch_size=14, hidden_size=16, num_hidden_layers=4,
                                         num_attention_heads=2, intermediate_size=32,
                                         out_indices=[1, 2, 3, 4], reshape_hidden_states=False)
    return dict(backbone_config=backbone, reassemble_hidden_size=16, neck_hidden_sizes=[8, 8, 16, 16],
                fusion_hidden_size=8, head_hidden_size=4)


def depth_anything_processor() -> transformers.DPTImageProcessor:
    """Depth Anything's processor settings (keep aspect, multiples of 14) at the tiny model's 28 x 28."""
    return transformers.DPTImageProcessor(size={"height": 28, "width": 28}, ensure_multiple_of=14,
                                          keep_aspect_ratio=True)


def tiny_depth_anything(metric: bool) -> torch.nn.Module:
    if metric:
        config = transformers.DepthAnythingConfig(depth_estimation_type="metric", max_depth=20, **dinov2_dpt_head())
    else:
        config = transformers.DepthAnythingConfig(depth_estimation_type="relative", **dinov2_dpt_head())
    return transformers.DepthAnythingForDepthEstimation(config)


def tiny_zoedepth() -> torch.nn.Module:
    beit = transformers.BeitConfig(image_size=32, patch_size=8, num_hidden_layers=4, hidden_size=16,
                                   intermediate_size=32, num_attention_heads=2,
                                   use_relative_position_bias=True, reshape_hidden_states=False,
                                   out_features=["stage1", "stage2", "stage3", "stage4"])
    return transformers.ZoeDepthForDepthEstimation(transformers.ZoeDepthConfig(
        backbone_config=beit, neck_hidden_sizes=[8, 8, 16, 16], fusion_hidden_size=8, bottleneck_features=8,
        num_relative_features=4, bin_embedding_dim=8, num_attractors=[2, 2, 2, 1],
        bin_configurations=[{"n_bins": 4, "min_depth": 0.5, "max_depth": 10.0}]))


def tiny_dpt() -> torch.nn.Module:
    return transformers.DPTForDepthEstimation(transformers.DPTConfig(
        hidden_size=16, num_hidden_layers=4, num_attention_heads=2, intermediate_size=32, image_size=32,
        patch_size=8, backbone_out_indices=[0, 1, 2, 3], neck_hidden_sizes=[8, 8, 16, 16],
        fusion_hidden_size=8, use_auxiliary_head=False))


def tiny_glpn() -> torch.nn.Module:
    return transformers.GLPNForDepthEstimation(transformers.GLPNConfig(
        depths=[1, 1, 1, 1], sr_ratios=[2, 1, 1, 1], strides=[2, 2, 2, 2], hidden_sizes=[8, 8, 16, 16],
        num_attention_heads=[1, 1, 2, 2], decoder_hidden_size=8, max_depth=10))
