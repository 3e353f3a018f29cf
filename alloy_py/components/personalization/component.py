"""The Personalization component: asking for decisions, rendering them, saying so.

Port of ``Personalization/createComponent.js``, ``createFetchDataHandler.js`` and
``createViewChangeHandler.js``. Redirect offers are rendered (``redirect.py``),
in-app messages too (``in_app.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from ..._futures import spawn
from ...browser import ClickDom
from ...edge.request import EdgeRequest
from ...edge.response import EdgeResponse
from ...event import Event
from ...lifecycle import Decision, RequestHandlers
from ...schemas import MESSAGE_IN_APP, PAGE_WIDE_SCOPE, REDIRECT_ITEM
from ...types import JsonObject, Node, Options
from ...validation import Validator, any_of, boolean, literal, object_of, string
from .. import Command, Component, ComponentServices
from ..interactions import InteractionTracker
from ..rendering import Renderer, redirecting
from .applying import APPLY_PROPOSITIONS_OPTIONS, lenient, prepare_propositions
from .details import PersonalizationDetails
from .in_app import InAppPlanner
from .notifications import DisplayNotifier, merge_decisions_meta
from .propositions import DisplayMeta, PropositionProcessor, Renderable, clean_proposition, scope_type
from .redirect import RedirectPlanner
from .view_cache import CacheUpdate, ViewCache, view_renderables

__all__ = ["Personalization"]

_INTERACTIONS = [literal(v) for v in ("always", "never", "decoratedElementsOnly")]


class Personalization(Component):
    namespace = "Personalization"
    config_schema: ClassVar[Validator | None] = object_of(
        {
            "prehidingStyle": string().non_empty(),
            "targetMigrationEnabled": boolean().default(False),
            "autoCollectPropositionInteractions": object_of(
                {
                    "AJO": any_of(_INTERACTIONS, "undefined").default("always"),
                    "TGT": any_of(_INTERACTIONS, "undefined").default("never"),
                }
            )
            .default({"AJO": "always", "TGT": "never"})
            .no_unknown_fields(),
        }
    )

    def __init__(self, services: ComponentServices) -> None:
        super().__init__(services)
        config = services.config
        self._interactions = InteractionTracker(services.browser, config["autoCollectPropositionInteractions"])
        self.renderer = Renderer(services.browser, self.logger, self._interactions)
        self._view_cache = ViewCache()
        self._displays = DisplayNotifier(services.events, self.logger)
        redirects = RedirectPlanner(services.browser, self.renderer, self._displays, self.logger)
        in_app = InAppPlanner(services.browser, self.logger, self._displays.send_interaction)
        self._propositions = PropositionProcessor(self.renderer, self.logger, redirects.plan, in_app.plan)

    def commands(self) -> Mapping[str, Command]:
        return {
            "applyPropositions": Command(
                run=self._apply_propositions, validate=lenient(APPLY_PROPOSITIONS_OPTIONS, self.logger.warn)
            )
        }

    async def _apply_propositions(self, options: Options) -> JsonObject:
        """Render propositions the page already has (from an earlier sendEvent, or its server).

        Never sends a display notification: a later event with ``includeRenderedPropositions`` reports it.
        """
        hold = self._displays.notifier(True, False, None, None)  # held now: later events wait for it
        prepared = prepare_propositions(options.get("propositions") or [], options.get("metadata") or {})
        to_render = [Renderable(p, scope_type(p), True) for p in prepared]
        view_name = options.get("viewName")
        if view_name:
            to_render += await self._view_cache.view(view_name)
        processed = self._propositions.process(to_render, [])
        processed.displays().add_done_callback(lambda done: hold([] if done.cancelled() else done.result()))
        return {"propositions": processed.propositions}

    # Lifecycle
    def on_before_request(self, request: EdgeRequest, handlers: RequestHandlers) -> None:
        if self.services.config["targetMigrationEnabled"]:
            request.payload.merge_meta({"target": {"migration": True}})

    def on_components_registered(self) -> None:
        """alloy's ``handleConsentFlicker``: an opted-out visitor never keeps prehidden content hidden."""
        consent = self.services.consent
        if consent.state == "out" and consent.was_set:
            self.renderer.show_containers()
            return

        spawn(self._show_if_declined())

    async def _show_if_declined(self) -> None:
        try:
            await self.services.consent.await_consent()
        except Exception:
            self.renderer.show_containers()

    def on_decision(self, decision: Decision) -> None:
        """alloy's ``createOnDecisionHandler``: render what a ruleset qualified (in-app messages…) and
        report its display as a sendEvent would; nothing is returned (RulesEngine returns them)."""
        if not decision.render_decisions:
            return
        send_display = (decision.personalization or {}).get("sendDisplayEvent", True)
        view_name = decision.event.view_name if decision.event is not None else None
        notify_displays = self._displays.notifier(True, send_display, view_name, decision.identity_map)
        to_render = [Renderable(p, scope_type(p), True) for p in decision.propositions if isinstance(p, dict)]
        suppressed = _conflicting_in_app_messages(to_render)

        def notify(metas: list[JsonObject]) -> None:
            notify_displays([meta for meta in metas if meta.get("id") not in suppressed])
            held_back = [meta for meta in metas if meta.get("id") in suppressed]
            if held_back and send_display:
                self._displays.send_suppressed(held_back, view_name, decision.identity_map)

        processed = self._propositions.process(to_render, [], decision.identity_map, suppressed=suppressed)
        displays = processed.displays()
        if displays.done():
            notify(displays.result())
        else:
            displays.add_done_callback(lambda done: None if done.cancelled() else notify(done.result()))

    def on_request_failure(self, error: BaseException) -> None:
        self.renderer.show_containers()

    def on_click(self, event: Event, dom: ClickDom, element: Node) -> None:
        """A click on rendered content (or a Target click metric) is a ``propositionInteract``.

        A click the loader recorded before Python ran came before anything was rendered.
        """
        browser = self.services.browser
        if dom is not browser:
            return
        interaction = self._interactions.click(browser, element, self.renderer.select)
        if interaction is not None:
            event.merge_xdm(interaction.xdm())

    async def on_before_event(self, event: Event, options: Options, handlers: RequestHandlers) -> None:
        handlers.on_response.append(lambda response: {"propositions": []})
        handlers.on_failure.append(lambda error: self.renderer.show_containers())
        href = self.services.browser.page().href
        if "adobe_authoring_enabled" in href:
            self.logger.warn("Rendering is disabled for authoring mode.")
            event.merge_query({"personalization": {"enabled": False}})
            return
        details = PersonalizationDetails.from_options(
            options, view_name=event.view_name, href=href, view_cache_initialized=self._view_cache.initialized
        )
        metas: list[DisplayMeta] = []
        if details.include_rendered:
            metas.extend(await self._displays.take_held())
        if details.should_fetch:
            self._fetch(event, details, handlers)
        elif details.view_name:
            metas.extend(await self._change_view(details.view_name, details.render, handlers))
        merge_decisions_meta(event, metas)

    def _fetch(self, event: Event, details: PersonalizationDetails, handlers: RequestHandlers) -> None:
        consent = self.services.consent
        if not details.render:
            self.renderer.show_containers()
        elif consent.state != "out":
            # alloy.js also hides under a default consent of out, and nothing shows the page again then.
            hidden_by_loader = event.call is not None and event.call.hid_containers
            self.renderer.hide_containers(self.services.config.get("prehidingStyle"), hidden_by_loader=hidden_by_loader)
            if consent.state == "pending":  # declined later: show it (alloy.js only watches the first choice)
                spawn(self._show_if_declined())
        query = details.query(self.logger.warn)
        event.merge_query({"personalization": query})
        cache_update = self._view_cache.create_update()
        handlers.on_failure.append(lambda error: cache_update.cancel())
        notify = self._displays.notifier(
            details.render, details.send_display, details.view_name, event.user_identity_map
        )

        identity_map = event.user_identity_map

        def handle_response(response: EdgeResponse) -> JsonObject:
            return self._handle_decisions(
                response, cache_update, details.render, details.view_name, notify, identity_map, query
            )

        handlers.on_response.append(handle_response)

    def _handle_decisions(
        self,
        response: EdgeResponse,
        cache_update: CacheUpdate,
        render: bool,
        view_name: str | None,
        notify: Callable[[list[DisplayMeta]], None],
        identity_map: Any,
        query: JsonObject,
    ) -> JsonObject:
        handles = [clean for p in response.payloads("personalization:decisions") if (clean := clean_proposition(p))]
        if not handles:
            self.logger.on_content_rendering("no-offers", "No offers were returned.", {"query": query})
        groups: dict[str, list[JsonObject]] = {"page": [], "view": [], "proposition": []}
        for proposition in handles:
            groups[scope_type(proposition)].append(proposition)
        new_views = cache_update.store(groups["view"])
        current_view = view_renderables(new_views, view_name) if view_name else []
        page = [Renderable(p, "page", True) for p in groups["page"]]
        others = [Renderable(p, "proposition", True) for p in groups["proposition"]]
        if not render:
            processed = self._propositions.process([], [*page, *current_view, *others])
            return {"propositions": processed.propositions, "decisions": processed.decisions}

        def started() -> None:
            if page:
                self.logger.on_content_rendering(
                    "rendering-started",
                    "Started rendering propositions for page-wide scope.",
                    {"scope": PAGE_WIDE_SCOPE, "propositions": [r.proposition for r in page]},
                )
            if current_view:
                self.logger.on_content_rendering(
                    "rendering-started",
                    f"Rendering propositions started for view scope - {view_name}.",
                    {"scope": view_name, "propositions": [r.proposition for r in current_view]},
                )

        processed = self._propositions.process([*page, *current_view], others, identity_map, started)
        only_redirect = len(groups["page"]) == 1 and all(
            item.get("schema") == REDIRECT_ITEM for item in groups["page"][0].get("items") or []
        )
        # alloy.js keeps the containers hidden for a lone redirect proposition even when its data
        # is invalid and nothing leaves; here only while the redirect is under way.
        if not (only_redirect and redirecting(self.services.browser)):
            self.renderer.show_containers()
        displays = processed.displays()
        if displays.done():  # everything rendered already: report before the command resolves, as alloy.js
            notify(displays.result())
        else:
            displays.add_done_callback(lambda done: None if done.cancelled() else notify(done.result()))
        return {"propositions": processed.propositions, "decisions": processed.decisions}

    async def _change_view(self, view_name: str, render: bool, handlers: RequestHandlers) -> list[DisplayMeta]:
        propositions = await self._view_cache.view(view_name)
        if render:

            def started() -> None:
                self.logger.on_content_rendering(
                    "rendering-started",
                    f"Started rendering propositions for view scope - {view_name}.",
                    {"scope": view_name, "propositions": [r.proposition for r in propositions]},
                )

            processed = self._propositions.process(propositions, [], None, started)
        else:
            processed = self._propositions.process([], propositions)
        handlers.on_response.append(
            lambda response: {"propositions": processed.propositions, "decisions": processed.decisions}
        )
        return await processed.displays() if render else []


def _conflicting_in_app_messages(to_render: list[Renderable]) -> set[str]:
    """alloy's ``createShouldSuppressDisplay``: of the propositions with in-app messages that one
    evaluation qualified, only the first is shown; the others are reported as suppressed."""
    with_messages = [r.proposition for r in to_render
                     if any(isinstance(i, dict) and i.get("schema") == MESSAGE_IN_APP
                            for i in r.proposition.get("items") or [])]
    return {str(p.get("id")) for p in with_messages[1:]}
